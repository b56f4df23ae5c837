using System.Net.Sockets;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The response timeout around each handler call of one connection, a <see cref="Deadline"/> on the
/// connection's clock: on expiry the handler's token is cancelled and its connection reset (the original's
/// <c>timeout(response_timeout)</c> killed the worker instead). One instance serves every request of the
/// connection, re-arming the same deadline, so a request costs no timer or token source of its own; pooled with the
/// connection's other parts, it serves the next connection too (<see cref="Watch"/>, <see cref="Forget"/>).
/// </summary>
internal sealed class ResponseDeadline : IDisposable
{
    private readonly TimeSpan _timeout;
    private readonly Deadline _deadline;
    /// <summary>
    /// Orders a late expiry or client-gone signal of an ended connection against the next <see cref="Watch"/>: either
    /// it finds the connection forgotten and does nothing, or the next watch finds its flag set and takes a new token
    /// source instead of resetting the one it cancels. Taken once per connection and per signal, never per request.
    /// </summary>
    private readonly Lock _lock = new();
    private IConnectionTransport? _transport;
    private CancellationTokenSource _cancellation = new();
    private CancellationTokenRegistration _outer;
    private int _expired;
    private int _clientGone;

    public ResponseDeadline(TimeProvider timeProvider, TimeSpan timeout)
    {
        _timeout = timeout;
        _deadline = new Deadline(timeProvider, static state => ((ResponseDeadline)state!).Expire(), this, boundsHandlerCode: true);
    }

    /// <summary>Whether a connection is watched now (from its first handler call to its end).</summary>
    public bool IsWatching => _transport is not null;

    /// <summary>
    /// Starts watching a connection, at its first handler call. The token also fires when the client goes away: the
    /// transport reports the end of input even while nobody reads, so a handler waiting on something else (an
    /// operation, a progress stream) learns it at once and frees its worker. One registration per connection, none
    /// per request.
    /// </summary>
    public void Watch(IConnectionTransport transport, CancellationToken outer)
    {
        lock (_lock)
        {
            if (_expired != 0 || _clientGone != 0)
            {
                // Cancelled, or still being cancelled on another thread, for the previous connection: left to the collector.
                _cancellation = new CancellationTokenSource();
            }
            else if (!_cancellation.TryReset())
            {
                // Cancelled by the server's abort (that callback has finished: Forget disposed its registration).
                _cancellation.Dispose();
                _cancellation = new CancellationTokenSource();
            }

            Volatile.Write(ref _expired, 0);
            Volatile.Write(ref _clientGone, 0);
            _transport = transport;
        }

        transport.OnPeerClosed(static state => (state as ResponseDeadline)?.OnClientGone(), this);
        _outer = outer.UnsafeRegister(static state => ((ResponseDeadline)state!).CancelHandler(), this);
    }

    /// <summary>The connection ended: it is no longer watched, and the parts may serve another.</summary>
    public void Forget()
    {
        _deadline.Disarm();
        IConnectionTransport? transport;
        lock (_lock)
        {
            transport = _transport;
            _transport = null;
        }

        transport?.ForgetPeerClosed(this);
        _outer.Dispose();
        _outer = default;
    }

    public bool Expired => Volatile.Read(ref _expired) != 0;

    /// <summary>True once the client's end of the connection closed (FIN or RST) and the handler's token was cancelled for it.</summary>
    public bool ClientGone => Volatile.Read(ref _clientGone) != 0;

    /// <summary>The handler's token: cancelled on expiry, when the client goes away, or when the server aborts.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>
    /// The client closed its end: an HTTP/1.1 client that sends FIN is treated as gone (a half-closing client
    /// cannot be told from one that left without writing to it), so the handler's token is cancelled.
    /// </summary>
    public void OnClientGone()
    {
        if (Signal(ref _clientGone) is { } watched)
        {
            Cancel(watched.Cancellation);
        }
    }

    /// <summary>Arms the deadline for a handler call and returns the handler's token.</summary>
    public CancellationToken Start()
    {
        if (_timeout != Timeout.InfiniteTimeSpan)
        {
            _deadline.Arm(_timeout);
        }

        return _cancellation.Token;
    }

    /// <summary>Disarms the deadline once the handler returned.</summary>
    public void Stop() => _deadline.Disarm();

    /// <summary>Disarms the deadline (in an exception filter), then tells whether it had expired.</summary>
    public bool StopExpired()
    {
        Stop();
        return Expired;
    }

    private void Expire()
    {
        if (Signal(ref _expired) is { } watched)
        {
            Cancel(watched.Cancellation);
            watched.Transport.Abort(SocketError.TimedOut);
        }
    }

    /// <summary>Sets <paramref name="flag"/> once for the connection watched now; null when none is, or it was set already.</summary>
    private (CancellationTokenSource Cancellation, IConnectionTransport Transport)? Signal(ref int flag)
    {
        lock (_lock)
        {
            if (_transport is null || flag != 0)
            {
                return null;
            }

            flag = 1;
            return (_cancellation, _transport);
        }
    }

    /// <summary>The server aborts its handlers (the connect call's token).</summary>
    private void CancelHandler() => Cancel(_cancellation);

    private static void Cancel(CancellationTokenSource cancellation)
    {
        try
        {
            cancellation.Cancel();
        }
        catch (Exception e) when (e is AggregateException or ObjectDisposedException)
        {
            // The handler's own cancellation callbacks must not escape onto the timer thread.
        }
    }

    public void Dispose()
    {
        Forget();
        _deadline.Dispose();
        _cancellation.Dispose();
    }
}
