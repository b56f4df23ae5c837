using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// A process to hand connections to, by the Unix socket path its <see cref="HandOffListener"/> (or a
/// <see cref="HandOffListenerSpec"/> listener) listens on. Keeps a few idle channels open for reuse;
/// safe to use from many threads at once.
/// </summary>
public sealed class HandOffTarget : IDisposable
{
    private readonly ConcurrentQueue<HandOffChannel> _idle = new();
    private int _idleCount;
    private int _disposed;
    private readonly ILogger? _logger;
    private readonly ILoggerFactory? _loggerFactory;
    private readonly TimeProvider _timeProvider = TimeProvider.System;

    /// <summary>Creates a target for the receiver listening on <paramref name="path"/>; nothing is connected yet.</summary>
    /// <param name="path">The receiver's Unix socket path.</param>
    public HandOffTarget(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
    }

    /// <summary>The receiver's Unix socket path.</summary>
    public string Path { get; }

    /// <summary>How long a hand-off waits for the receiver's acknowledgement (default 10 s).</summary>
    public TimeSpan AcknowledgementTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock of <see cref="AcknowledgementTimeout"/> (default <see cref="TimeProvider.System"/>).</summary>
    public TimeProvider TimeProvider
    {
        get => _timeProvider;
        init => _timeProvider = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// Users besides this process's effective user whose receivers may take connections (default none).
    /// Before anything is sent, the process listening on <see cref="Path"/> is checked (<c>SO_PEERCRED</c>);
    /// one of another user is refused: the hand-off throws and the connection stays here.
    /// </summary>
    public IReadOnlyCollection<uint>? AllowedUserIds { get; init; }

    /// <summary>Where refused receivers are logged (category <c>Moonbridge.Net.HandOff</c>); none by default.</summary>
    public ILoggerFactory? LoggerFactory
    {
        get => _loggerFactory;
        init
        {
            _loggerFactory = value;
            _logger = value?.CreateLogger(HandOffLog.Category);
        }
    }

    /// <summary>How many idle channels are kept open for later hand-offs (default 4; 0 connects for every hand-off, as Apache does).</summary>
    public int MaxIdleChannels { get; init; } = 4;

    /// <summary>
    /// Hands <paramref name="socket"/> to the target process; see <see cref="HandOffChannel.SendAsync"/>.
    /// A pooled channel found broken is replaced once before the hand-off fails.
    /// </summary>
    /// <param name="socket">An open connection socket; closed when this returns successfully.</param>
    /// <param name="info">Metadata for the receiver.</param>
    /// <param name="cancellationToken">Stops connecting, flushing or waiting for the acknowledgement.</param>
    /// <exception cref="HandOffException">
    /// The hand-off failed: when the receiver could not be reached, <paramref name="socket"/> is untouched;
    /// after the connection was detached it comes back in <see cref="HandOffException.ReturnedSocket"/>.
    /// </exception>
    public ValueTask SendAsync(MoonSocket socket, HandOffInfo? info = null, CancellationToken cancellationToken = default)
        => SendAsync(socket, info ?? new HandOffInfo(), ReadOnlyMemory<byte>.Empty, null, cancellationToken);

    /// <summary>
    /// The hand-off: a channel first (so an unreachable receiver leaves the socket untouched), then
    /// <paramref name="beforeDetach"/> (the flusher), the detach, and the transfer.
    /// </summary>
    internal async ValueTask SendAsync(MoonSocket socket, HandOffInfo info, ReadOnlyMemory<byte> prefix, Func<CancellationToken, ValueTask<HandOffInfo>>? beforeDetach, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        (HandOffChannel channel, bool pooled) = await RentAsync(cancellationToken).ConfigureAwait(false);
        DetachedConnection detached;
        try
        {
            if (beforeDetach is not null)
            {
                info = await beforeDetach(cancellationToken).ConfigureAwait(false);
            }

            detached = await DetachedConnection.DetachAsync(socket, prefix, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            Return(channel);
            if (e is HandOffException or OperationCanceledException)
            {
                throw;
            }

            throw new HandOffException("The connection could not be detached for the hand-off.", e);
        }

        while (true)
        {
            try
            {
                await channel.TransferAsync(detached, info, cancellationToken).ConfigureAwait(false);
                HandOffMetrics.Count(HandOffMetrics.Sent);
                detached.Dispose();
                Return(channel);
                return;
            }
            catch (Exception e)
            {
                channel.Dispose();
                if (pooled && !cancellationToken.IsCancellationRequested)
                {
                    // The receiver may have restarted since this channel was opened: try a fresh one.
                    pooled = false;
                    try
                    {
                        channel = await ConnectAsync(cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    catch (Exception retry) when (retry is HandOffException or OperationCanceledException)
                    {
                        throw HandOffChannel.Returned(detached, retry);
                    }
                }

                throw HandOffChannel.Returned(detached, e);
            }
        }
    }

    private async ValueTask<(HandOffChannel Channel, bool Pooled)> RentAsync(CancellationToken cancellationToken)
    {
        while (_idle.TryDequeue(out HandOffChannel? channel))
        {
            Interlocked.Decrement(ref _idleCount);
            if (channel.IsOpenWhileIdle)
            {
                return (channel, true);
            }

            channel.Dispose();
        }

        return (await ConnectAsync(cancellationToken).ConfigureAwait(false), false);
    }

    private async ValueTask<HandOffChannel> ConnectAsync(CancellationToken cancellationToken)
    {
        HandOffChannel channel = await HandOffChannel.ConnectAsync(Path, AllowedUserIds, _logger, cancellationToken).ConfigureAwait(false);
        channel.AcknowledgementTimeout = AcknowledgementTimeout;
        channel.TimeProvider = _timeProvider;
        return channel;
    }

    private void Return(HandOffChannel channel)
    {
        if (!channel.IsFaulted && Volatile.Read(ref _disposed) == 0)
        {
            if (Interlocked.Increment(ref _idleCount) <= MaxIdleChannels)
            {
                _idle.Enqueue(channel);
                if (Volatile.Read(ref _disposed) != 0)
                {
                    DisposeIdle();
                }

                return;
            }

            Interlocked.Decrement(ref _idleCount);
        }

        channel.Dispose();
    }

    private void DisposeIdle()
    {
        while (_idle.TryDequeue(out HandOffChannel? channel))
        {
            Interlocked.Decrement(ref _idleCount);
            channel.Dispose();
        }
    }

    /// <summary>Closes the channels kept open for reuse (e.g. before the receiver restarts); later hand-offs open new ones.</summary>
    public void CloseIdleChannels() => DisposeIdle();

    /// <summary>Closes the idle channels; later hand-offs throw.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        DisposeIdle();
    }
}
