using System.Buffers;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Internal;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>
/// Moves a request's content into an upload: read in large pieces, written at the hold's offset, made durable at
/// every checkpoint (then reported, e.g. as a <c>104</c> with <c>Upload-Offset</c>) so a reported offset is always
/// one that survives a crash. A newer request on the same upload ends this one: its bytes so far are kept (the hold
/// saves them when disposed) and its connection is closed, since there is nothing left to say to it.
/// </summary>
internal static class UploadBodyCopy
{
    // Larger pieces mean fewer writes per byte; the reader hands over what arrived, so this only caps a burst.
    private const int PieceSize = 256 * 1024;

    // A checkpoint due now still lets a read take what is already there.
    private static readonly TimeSpan s_minimumPatience = TimeSpan.FromMilliseconds(5);

    /// <param name="request">The request whose content is appended.</param>
    /// <param name="hold">The request's hold on the upload.</param>
    /// <param name="length">The upload's known length; bytes beyond it throw <see cref="UploadLengthExceededException"/>.</param>
    /// <param name="checkpoint">Called with each durable offset reached before the end; null for none.</param>
    /// <param name="clock">Times the checkpoints.</param>
    /// <param name="interval">The time between checkpoints; infinite for none (a chunk that may still be discarded).</param>
    /// <param name="observe">Sees every byte before it is written (a checksum); null for none.</param>
    /// <param name="source">Where the bytes come from; the request's whole content by default.</param>
    /// <param name="written">Told the offset after each write (progress views); null for nobody.</param>
    /// <remarks>
    /// The handler's token is not used: it fires when the client half-closes or leaves, and the bytes it sent before
    /// are still to be read and kept; a client that is gone ends the read anyway. A newer request on the upload aborts
    /// this request's connection, which ends a read waiting for bytes that may never come.
    /// </remarks>
    public static async ValueTask CopyAsync(
        HttpRequest request,
        IUploadAppend hold,
        long? length,
        Func<long, ValueTask>? checkpoint,
        TimeProvider clock,
        TimeSpan interval,
        Action<ReadOnlySpan<byte>>? observe = null,
        IContentSource? source = null,
        Action<long>? written = null)
    {
        using CancellationTokenRegistration abort = hold.Superseded.UnsafeRegister(static state => ((HttpRequest)state!).AbortConnection(), request);
        byte[] piece = ArrayPool<byte>.Shared.Rent(PieceSize);
        bool checkpoints = interval != Timeout.InfiniteTimeSpan;
        long lastCheckpoint = clock.GetTimestamp();
        long durableOffset = hold.Offset;
        string? running = UploadTelemetry.Appending(hold);
        try
        {
            bool ended = false;
            while (!ended)
            {
                int filled = 0;
                try
                {
                    // Gathered until the piece is full, the content ends or a checkpoint is due, so a trickle of
                    // small reads still reaches the disk in time, and so does what arrived before the client fell
                    // silent (the read waits no longer than the next checkpoint).
                    while (filled < piece.Length)
                    {
                        int read = source is not null
                            ? await source.ReadAsync(piece.AsMemory(filled), hold.Superseded).ConfigureAwait(false)
                            : checkpoints
                                ? await request.ReadBodyAsync(piece.AsMemory(filled), UntilCheckpoint(clock, lastCheckpoint, interval), hold.Superseded).ConfigureAwait(false)
                                : await request.ReadBodyAsync(piece.AsMemory(filled), hold.Superseded).ConfigureAwait(false);
                        if (read < 0)
                        {
                            break;
                        }

                        if (read == 0)
                        {
                            ended = true;
                            break;
                        }

                        filled += read;
                        if (checkpoints && clock.GetElapsedTime(lastCheckpoint) >= interval)
                        {
                            break;
                        }
                    }
                }
                catch (Exception) when (filled > 0)
                {
                    // The content broke off (the client left, a timeout, a newer request took over): what arrived is
                    // still the client's, in order, and keeping it saves sending it again. The hold makes it durable
                    // when disposed, before a newer request gets the upload.
                    await WriteAsync(hold, piece.AsMemory(0, filled), length, observe).ConfigureAwait(false);
                    throw;
                }

                if (filled > 0)
                {
                    await WriteAsync(hold, piece.AsMemory(0, filled), length, observe).ConfigureAwait(false);
                    written?.Invoke(hold.Offset);
                }

                if (!ended && checkpoints && clock.GetElapsedTime(lastCheckpoint) >= interval)
                {
                    lastCheckpoint = clock.GetTimestamp();
                    if (hold.Offset > durableOffset)
                    {
                        UploadRecord durable = await hold.CheckpointAsync(CancellationToken.None).ConfigureAwait(false);
                        durableOffset = durable.Offset;
                        lastCheckpoint = clock.GetTimestamp();
                        if (checkpoint is not null)
                        {
                            await checkpoint(durable.Offset).ConfigureAwait(false);
                        }
                    }
                }
            }
        }
        catch (Exception e) when (hold.Superseded.IsCancellationRequested && e is not UploadLengthExceededException)
        {
            throw new ConnectionAbortedException("A newer request took the upload over.", e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
            UploadTelemetry.AppendEnded(running);
        }
    }

    /// <summary>How long a read may wait before the next checkpoint is due (never less than a few milliseconds).</summary>
    private static TimeSpan UntilCheckpoint(TimeProvider clock, long lastCheckpoint, TimeSpan interval)
    {
        TimeSpan left = interval - clock.GetElapsedTime(lastCheckpoint);
        return left > s_minimumPatience ? left : s_minimumPatience;
    }

    private static ValueTask WriteAsync(IUploadAppend hold, ReadOnlyMemory<byte> data, long? length, Action<ReadOnlySpan<byte>>? observe)
    {
        if (length is { } known && hold.Offset + data.Length > known)
        {
            throw new UploadLengthExceededException($"The content goes beyond the upload's length of {known} bytes.");
        }

        observe?.Invoke(data.Span);
        return hold.WriteAsync(data, CancellationToken.None);
    }

    /// <summary>Appends a whole stream (a part of a tus final upload) at the hold's offset.</summary>
    public static async ValueTask CopyStreamAsync(Stream source, IUploadAppend hold)
    {
        byte[] piece = ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            int read;
            while ((read = await source.ReadAsync(piece).ConfigureAwait(false)) > 0)
            {
                await hold.WriteAsync(piece.AsMemory(0, read)).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }
}
