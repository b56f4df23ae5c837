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
    private IConnectionTransport? _transport;
    private CancellationTokenSource _cancellation = new();
    private CancellationTokenRegistration _outer;
    private int _watching; // counts the connections watched, so a late expiry of an earlier one is told apart
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
        if (!_cancellation.TryReset())
        {
            // Cancelled for the previous connection: a cancelled source cannot be reused.
            _cancellation.Dispose();
            _cancellation = new CancellationTokenSource();
        }

        Volatile.Write(ref _expired, 0);
        Volatile.Write(ref _clientGone, 0);
        Interlocked.Increment(ref _watching);
        _transport = transport;
        transport.OnPeerClosed(static state => (state as ResponseDeadline)?.OnClientGone(), this);
        _outer = outer.UnsafeRegister(static state => ((ResponseDeadline)state!).CancelHandler(), this);
    }

    /// <summary>The connection ended: it is no longer watched, and the parts may serve another.</summary>
    public void Forget()
    {
        _deadline.Disarm();
        _transport?.ForgetPeerClosed(this);
        _transport = null;
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
        if (Interlocked.Exchange(ref _clientGone, 1) == 0)
        {
            CancelHandler();
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
        int watching = Volatile.Read(ref _watching);
        IConnectionTransport? transport = _transport;
        if (transport is null || Interlocked.Exchange(ref _expired, 1) != 0 || watching != Volatile.Read(ref _watching))
        {
            // Not watching, expired already, or the timer fired for a connection that has ended since.
            return;
        }

        CancelHandler();
        transport.Abort(SocketError.TimedOut);
    }

    private void CancelHandler()
    {
        try
        {
            _cancellation.Cancel();
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
