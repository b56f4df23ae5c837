using System.Net.Sockets;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The response timeout around each handler call of one connection: on expiry the handler's token is
/// cancelled and its connection reset (the original's <c>timeout(response_timeout)</c> killed the worker
/// instead). One instance serves every request of the connection, re-arming the same timer, so a
/// request costs no timer or token source of its own.
/// </summary>
internal sealed class ResponseDeadline : IDisposable
{
    private readonly IConnectionTransport _transport;
    private readonly TimeSpan _timeout;
    private readonly CancellationTokenSource _cancellation = new();
    private readonly CancellationTokenRegistration _outer;
    private Timer? _timer;
    private long _deadline = long.MaxValue;
    private int _timerArmed;
    private int _expired;
    private int _clientGone;

    public ResponseDeadline(IConnectionTransport transport, TimeSpan timeout, CancellationToken outer)
    {
        _transport = transport;
        _timeout = timeout;
        _outer = outer.UnsafeRegister(static state => ((ResponseDeadline)state!).CancelHandler(), this);
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
    /// <remarks>
    /// The timer is not moved per request: deadlines only grow, so a timer armed for an earlier one fires
    /// early, finds the current deadline, and waits out the rest. A request costs a read of the coarse tick count and two writes.
    /// </remarks>
    public CancellationToken Start()
    {
        if (_timeout != Timeout.InfiniteTimeSpan)
        {
            Volatile.Write(ref _deadline, Environment.TickCount64 + (long)Math.Ceiling(_timeout.TotalMilliseconds));
            if (Volatile.Read(ref _timerArmed) == 0 && Interlocked.CompareExchange(ref _timerArmed, 1, 0) == 0)
            {
                _timer ??= new Timer(static state => ((ResponseDeadline)state!).Expire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
            }
        }

        return _cancellation.Token;
    }

    /// <summary>Disarms the deadline once the handler returned (the timer, if armed, will find nothing to do).</summary>
    public void Stop() => Volatile.Write(ref _deadline, long.MaxValue);

    private void Expire()
    {
        // A firing that raced with Stop, or left over from an earlier call, finds the deadline not reached; so
        // does one a little early (timers count milliseconds), which waits out the rest.
        // Disarmed first, then the deadline read: a Start in between either sees the timer disarmed and arms
        // it, or wrote a deadline this read sees.
        Volatile.Write(ref _timerArmed, 0);
        long deadline = Volatile.Read(ref _deadline);
        long now = Environment.TickCount64;
        if (now < deadline)
        {
            if (deadline != long.MaxValue && Interlocked.CompareExchange(ref _timerArmed, 1, 0) == 0)
            {
                RearmForRest(deadline - now);
            }

            return;
        }

        if (Interlocked.Exchange(ref _expired, 1) != 0)
        {
            return;
        }

        CancelHandler();
        _transport.Abort(SocketError.TimedOut);
    }

    private void RearmForRest(long milliseconds)
    {
        try
        {
            _timer?.Change(TimeSpan.FromMilliseconds(milliseconds + 1), Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The connection ended meanwhile.
        }
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
        _outer.Dispose();
        _timer?.Dispose();
        _cancellation.Dispose();
    }
}
