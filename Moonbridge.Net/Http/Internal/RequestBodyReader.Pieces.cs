using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The body taken where it lies: a piece of it is taken out of the connection's input (<see cref="TakePieceAsync"/>),
/// used there, and released (<see cref="ReleasePiece"/>), which lets the input move past it. Streaming to a callback
/// and draining hand on the input's own memory; only a read into the caller's buffer copies.
/// </summary>
internal sealed partial class RequestBodyReader
{
    /// <summary>Where the input moves on to when the piece taken last is released; null while none is held.</summary>
    private SequencePosition? _pieceEnd;

    /// <summary>Whether a piece is taken and not yet released: the input is being read, and only the piece's release reads it on.</summary>
    public bool HoldsPiece => _pieceEnd is not null;

    /// <summary>
    /// Streams the rest of the body to <paramref name="sink"/> or <paramref name="asyncSink"/> (neither: discard) in pieces
    /// of at most <see cref="HttpOptions.MaximumInputChunkSize"/> bytes, each a slice of the connection's input, valid
    /// until the sink returns (or its task completes).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ForEachPieceAsync<TWaiter>(Action<ReadOnlySpan<byte>>? sink, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? asyncSink, CancellationToken cancellationToken)
        where TWaiter : struct, ITransportWaiter
    {
        int size = context.Options.MaximumInputChunkSize;
        while (true)
        {
            BodyPiece piece = await TakePieceAsync<TWaiter>(int.MaxValue, patience: null).ConfigureAwait(false);
            if (piece.Payload.IsEmpty)
            {
                return;
            }

            try
            {
                await DeliverAsync(piece.Payload, size, sink, asyncSink, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ReleasePiece();
            }
        }
    }

    /// <summary>Hands <paramref name="payload"/> on in parts of at most <paramref name="size"/> bytes; nothing without a sink (a discard).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask DeliverAsync(ReadOnlySequence<byte> payload, int size, Action<ReadOnlySpan<byte>>? sink, Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? asyncSink, CancellationToken cancellationToken)
    {
        if (sink is null && asyncSink is null)
        {
            return;
        }

        foreach (ReadOnlyMemory<byte> segment in payload)
        {
            for (int at = 0; at < segment.Length; at += size)
            {
                ReadOnlyMemory<byte> part = segment.Slice(at, Math.Min(size, segment.Length - at));
                if (asyncSink is not null)
                {
                    await asyncSink(part, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    sink!(part.Span);
                }
            }
        }
    }

    /// <summary>
    /// Waits for body bytes (sending 100 Continue when due) and takes up to <paramref name="maxLength"/> of them where they
    /// lie; an empty piece at the body's end. The piece stays valid, and the input is not read again, until
    /// <see cref="ReleasePiece"/>. With a <paramref name="patience"/>, a piece marked timed out when nothing arrived within it:
    /// the stall timeout still counts from the last byte that arrived.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<BodyPiece> TakePieceAsync<TWaiter>(int maxLength, TimeSpan? patience)
        where TWaiter : struct, ITransportWaiter
    {
        response.ThrowIfFaulty();
        if (IsComplete)
        {
            return default;
        }

        if (AwaitsContinue)
        {
            _continueSent = true;
            if (!response.Started)
            {
                await response.Interim.SendContinueAsync<TWaiter>().ConfigureAwait(false);
            }
        }

        IConnectionTransport input = connection.Transport;
        while (true)
        {
            HttpOptions options = context.Options;
            TimeProvider time = connection.Time;
            (TimeSpan wait, bool rateBound) = MinimumDataRate.WaitLimit(options.StallTimeout, options.MinimumRequestBodyDataRate, options.MinimumRequestBodyDataRateGracePeriod, _consumed, time.GetElapsedTime(0, _waitTicks));
            if (!rateBound && wait != Timeout.InfiniteTimeSpan)
            {
                // The stall is measured from the last byte, across waits cut short by a caller's patience.
                wait = TimeSpan.FromTicks(Math.Max(0, (wait - time.GetElapsedTime(0, _stalledTicks)).Ticks));
            }

            bool patient = patience is { } bound && (wait == Timeout.InfiniteTimeSpan || bound < wait);
            long waitStarted = time.GetTimestamp();
            InputWait arrival = await connection.ReadInputAsync<TWaiter>(patient ? patience!.Value : wait).ConfigureAwait(false);
            long waited = time.GetTimestamp() - waitStarted;
            _waitTicks += waited;
            if (!arrival.Arrived(out ReadResult result))
            {
                if (patient)
                {
                    _stalledTicks += waited;
                    return BodyPiece.PatienceRanOut;
                }

                ReadFailed = true;
                throw HttpParseErrors.ForHandler(rateBound ? RequestRejectionReason.BodyDataRateTooLow : RequestRejectionReason.BodyTimeout);
            }

            ReadOnlySequence<byte> buffer = result.Buffer;
            ReadOnlySequence<byte> payload = default;
            if (head.Framing == BodyFraming.ContentLength)
            {
                long count = Math.Min(Math.Min(_remaining, maxLength), buffer.Length);
                if (count > 0)
                {
                    payload = buffer.Slice(0, count);
                    _pieceEnd = payload.End;
                    _remaining -= count;
                    IsComplete = _remaining == 0;
                }
                else
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            else
            {
                payload = TakeChunked(input, buffer, maxLength);
                if (IsComplete)
                {
                    return default;
                }
            }

            if (!payload.IsEmpty)
            {
                _stalledTicks = 0;
                _consumed += payload.Length;
                try
                {
                    // An observer's code and the 102 run with the piece held: if either fails, the input must not stay held.
                    observation.CatchUpReceived(_consumed);
                    if (InterimProgressDue())
                    {
                        await response.Interim.SendProgressAsync<TWaiter>(observation.Received).ConfigureAwait(false);
                    }
                }
                catch
                {
                    ReleasePiece();
                    throw;
                }

                return new BodyPiece(payload);
            }

            if (result.IsCompleted)
            {
                ReadFailed = true;
                throw HttpParseErrors.ForHandler(RequestRejectionReason.UnexpectedEndOfBody);
            }
        }
    }

    /// <summary>Lets the input move past the piece taken last; nothing when none is held.</summary>
    private void ReleasePiece()
    {
        if (_pieceEnd is { } end)
        {
            _pieceEnd = null;
            connection.Transport.AdvanceTo(end);
        }
    }

    /// <summary>
    /// Takes what the chunked framing gives of <paramref name="buffer"/>: payload is held as the piece; input past framing
    /// alone is let go at once.
    /// </summary>
    private ReadOnlySequence<byte> TakeChunked(IConnectionTransport input, ReadOnlySequence<byte> buffer, int maxLength)
    {
        ChunkedReadStatus status;
        ReadOnlySequence<byte> payload;
        SequencePosition consumed;
        try
        {
            status = _chunkedDecoder!.Read(buffer, maxLength, out payload, out consumed);
        }
        catch (BadHttpRequestException)
        {
            // End the read before the error goes up: closing the connection reads the input again.
            ReadFailed = true;
            input.AdvanceTo(buffer.Start, buffer.End);
            throw;
        }

        switch (status)
        {
            case ChunkedReadStatus.Data:
                _pieceEnd = consumed;
                return payload;
            case ChunkedReadStatus.Complete:
                input.AdvanceTo(consumed);
                IsComplete = true;
                return default;
            default:
                input.AdvanceTo(consumed, buffer.End);
                return default;
        }
    }

    /// <summary>What <see cref="TakePieceAsync"/> took: body bytes in the input (empty at the end), or nothing within a read's patience.</summary>
    private readonly record struct BodyPiece(ReadOnlySequence<byte> Payload)
    {
        public static BodyPiece PatienceRanOut => new() { TimedOut = true };

        public bool TimedOut { get; private init; }
    }
}
