using Moonbridge.Net.IO.EventLoop;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// One re-armable deadline on a <see cref="System.TimeProvider"/>: a connection arms it per wait or per
/// handler call, and at expiry its token is cancelled and the callback runs, on a timer thread, or on the
/// event loop's thread for a deadline made there on the system clock (<see cref="LoopTimers"/>).
/// </summary>
/// <remarks>
/// Re-arming costs no allocation: there is one timer, created at the first finite arming, and it is moved
/// only when a deadline comes earlier than the timer's due time. A later deadline leaves the timer alone;
/// its firing finds the deadline not reached and waits out the rest. The token source is replaced only
/// after it was cancelled, since a cancelled one cannot be reused; an arming without a token
/// (<see cref="ArmUntokenedForRest"/>) leaves it uncancelled at expiry.
/// </remarks>
internal sealed class Deadline : LoopTimer, IDisposable
{
    private const long NoDeadline = long.MaxValue;

    /// <summary>No deadline is set farther than this, so adding it to a timestamp cannot overflow.</summary>
    private const long MaxTimestampTicks = long.MaxValue / 4;

    /// <summary>Farther deadlines are beyond what a timer takes; the timer fires then and waits out the rest.</summary>
    private static readonly TimeSpan s_maxTimerDue = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Action<object?>? _onExpired;
    private readonly LoopTimers? _loopTimers;
    private readonly object? _state;
    private readonly Lock _lock = new();
    private CancellationTokenSource _cancellation = new();
    private ITimer? _timer;
    private long _deadline = NoDeadline; // a timestamp of the time provider
    private long _timerDue = NoDeadline; // when the timer fires, NoDeadline when it is not armed
    private int _expired;
    private bool _tokenHandedOut; // whether this arming's expiry cancels the token source
    private bool _sourceSpent; // an expiry took the token source to cancel it
    private bool _disposed;

    /// <param name="timeProvider">The clock.</param>
    /// <param name="onExpired">Runs at expiry, after the token is cancelled.</param>
    /// <param name="state">Passed to <paramref name="onExpired"/>.</param>
    /// <param name="boundsHandlerCode">
    /// True for a deadline on code a handler runs (its <c>timeout(n)</c>, a response or script timeout): it keeps a
    /// timer of its own, since a handler that blocks its event loop would also stop that loop's timers, and the
    /// deadline is what ends such a handler. Deadlines on waits for a client may live on the loop.
    /// </param>
    public Deadline(TimeProvider timeProvider, Action<object?>? onExpired = null, object? state = null, bool boundsHandlerCode = false)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        TimeProvider = timeProvider;
        _onExpired = onExpired;
        _state = state;

        // An injected clock (a test's fake one) keeps its own timers; the loop's heap counts system timestamps.
        _loopTimers = timeProvider == TimeProvider.System && !boundsHandlerCode ? EpollLoop.Current?.Timers : null;
    }

    public TimeProvider TimeProvider { get; }

    /// <summary>True from the expiry until the next <see cref="Arm"/>.</summary>
    public bool Expired => Volatile.Read(ref _expired) != 0;

    /// <summary>Time left until expiry: <see cref="Timeout.InfiniteTimeSpan"/> when disarmed, zero once reached.</summary>
    public TimeSpan Remaining
    {
        get
        {
            long deadline = Volatile.Read(ref _deadline);
            if (deadline == NoDeadline)
            {
                return Expired ? TimeSpan.Zero : Timeout.InfiniteTimeSpan;
            }

            long now = TimeProvider.GetTimestamp();
            return now >= deadline ? TimeSpan.Zero : TimeProvider.GetElapsedTime(now, deadline);
        }
    }

    /// <summary>
    /// Arms for what is left of a limit: a limit already overrun (zero or negative) expires at once, while
    /// <see cref="Timeout.InfiniteTimeSpan"/> still means no deadline. For waits whose limit shrinks as time is
    /// used up (a header timeout, a data rate); <see cref="Arm"/> refuses negative times as misuse.
    /// </summary>
    public CancellationToken ArmForRest(TimeSpan rest)
        => Arm(ClampRest(rest));

    /// <summary>
    /// Arms like <see cref="ArmForRest"/>, for a waiter the expiry callback ends itself: no token is handed out, so the
    /// expiry cancels none and the next arming makes no new token source (a pipe read ended by
    /// <see cref="System.IO.Pipelines.PipeReader.CancelPendingRead"/> returns a result where a cancelled token would throw).
    /// </summary>
    public void ArmUntokenedForRest(TimeSpan rest)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _tokenHandedOut = false;
            ArmCore(ClampRest(rest));
        }
    }

    private static TimeSpan ClampRest(TimeSpan rest) => rest == Timeout.InfiniteTimeSpan || rest > TimeSpan.Zero ? rest : TimeSpan.Zero;

    /// <summary>
    /// Sets the deadline to <paramref name="after"/> from now (<see cref="Timeout.InfiniteTimeSpan"/>: none),
    /// replacing any earlier one, and returns the token cancelled at expiry.
    /// </summary>
    public CancellationToken Arm(TimeSpan after)
    {
        if (after < TimeSpan.Zero && after != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(after), after, "A non-negative time or Timeout.InfiniteTimeSpan expected.");
        }

        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_sourceSpent)
            {
                // The old source may still be cancelling on the timer thread; it owns no timer, so it is left to the collector.
                _cancellation = new CancellationTokenSource();
                _sourceSpent = false;
            }

            // Before the arming: a timer due at once may fire inside it (a test's clock does).
            _tokenHandedOut = true;
            CancellationToken token = _cancellation.Token;
            ArmCore(after);
            return token;
        }
    }

    /// <summary>Sets the deadline; under the lock.</summary>
    private void ArmCore(TimeSpan after)
    {
        Volatile.Write(ref _expired, 0);
        if (after == Timeout.InfiniteTimeSpan)
        {
            Volatile.Write(ref _deadline, NoDeadline);
            return;
        }

        // In a loop's turn, the turn's start: a deadline then falls due at most one turn early, which no
        // timeout of a connection or a handler notices, and re-arming per request reads no clock.
        long now = EpollLoop.Timestamp(TimeProvider);
        long deadline = now + ToTimestampTicks(after);
        Volatile.Write(ref _deadline, deadline);
        if (deadline < _timerDue)
        {
            StartTimer(now, deadline);
        }
    }

    /// <summary>Removes the deadline; returns whether it had expired. The timer, if armed, will find nothing to do.</summary>
    public bool Disarm()
    {
        lock (_lock)
        {
            Volatile.Write(ref _deadline, NoDeadline);
            return _expired != 0;
        }
    }

    /// <summary>The timer fired: expires the deadline if it is reached, else waits out the rest.</summary>
    internal override void OnTimer()
    {
        CancellationTokenSource? expired;
        lock (_lock)
        {
            _timerDue = NoDeadline;
            if (_disposed || _deadline == NoDeadline)
            {
                return;
            }

            // A firing left over from an earlier deadline, or a little early (timers count milliseconds), waits out the rest.
            long now = TimeProvider.GetTimestamp();
            if (now < _deadline)
            {
                StartTimer(now, _deadline);
                return;
            }

            Volatile.Write(ref _deadline, NoDeadline);
            Volatile.Write(ref _expired, 1);
            expired = _tokenHandedOut ? _cancellation : null;
            _sourceSpent |= _tokenHandedOut;
        }

        // Outside the lock: cancellation callbacks and the expiry callback may arm or disarm again.
        try
        {
            expired?.Cancel();
        }
        catch (Exception e) when (e is AggregateException or ObjectDisposedException)
        {
            // Callbacks on the token must not escape onto the timer thread; a disposed source had no one left to tell.
        }

        if (_onExpired is not null)
        {
            try
            {
                _onExpired(_state);
            }
#pragma warning disable CA1031 // Nothing on a timer thread could handle it: an exception there would end the process.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    /// <summary>Arms the timer for <paramref name="deadline"/>, rounded up to whole milliseconds so it does not fire early; under the lock.</summary>
    private void StartTimer(long now, long deadline)
    {
        if (_loopTimers is { } loopTimers)
        {
            _timerDue = deadline;
            loopTimers.Schedule(this, deadline);
            return;
        }

        TimeSpan rest = TimeProvider.GetElapsedTime(now, deadline);
        TimeSpan due = rest >= s_maxTimerDue ? s_maxTimerDue : TimeSpan.FromMilliseconds(Math.Ceiling(rest.TotalMilliseconds));
        _timerDue = now + ToTimestampTicks(due);
        if (_timer is null)
        {
            _timer = CreateTimer(due);
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private ITimer CreateTimer(TimeSpan due)
    {
        // The timer must not capture the arming flow's execution context (its async-locals would live as long as the timer).
        bool suppressed = !ExecutionContext.IsFlowSuppressed();
        if (suppressed)
        {
            ExecutionContext.SuppressFlow();
        }

        try
        {
            return TimeProvider.CreateTimer(static state => ((Deadline)state!).OnTimer(), this, due, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            if (suppressed)
            {
                ExecutionContext.RestoreFlow();
            }
        }
    }

    private long ToTimestampTicks(TimeSpan time)
    {
        long frequency = TimeProvider.TimestampFrequency;
        if (frequency == TimeSpan.TicksPerSecond)
        {
            return Math.Min(time.Ticks, MaxTimestampTicks);
        }

        double ticks = Math.Ceiling(time.Ticks * ((double)frequency / TimeSpan.TicksPerSecond));
        return ticks >= MaxTimestampTicks ? MaxTimestampTicks : (long)ticks;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Volatile.Write(ref _deadline, NoDeadline);
            _timerDue = NoDeadline;
            _loopTimers?.Remove(this);
        }

        _timer?.Dispose();
        _cancellation.Dispose();
    }
}
