using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// The context of one running prepare, connect or finish handler: its worker, its socket and the
/// <c>timeout(...)</c> deadline on the pool's clock. Expiry cancels the handler's token and resets its
/// connection, where the original's SIGALRM killed the whole worker process.
/// </summary>
internal sealed class HandlerScope : IDisposable
{
    private static readonly AsyncLocal<HandlerScope?> s_current = new();

    private readonly MoonSocket? _socket;
    private readonly CancellationTokenSource _cancellation;
    private readonly Action<HandlerScope> _onExpired;
    private Deadline? _deadline;
    private int _expired;
    private int _disposed;

    public HandlerScope(WorkerContext worker, MoonSocket? socket, TimeProvider timeProvider, Action<HandlerScope> onExpired, CancellationToken serverAbort)
    {
        Worker = worker;
        TimeProvider = timeProvider;
        _socket = socket;
        _onExpired = onExpired;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(serverAbort);
    }

    public static HandlerScope? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>The worker running the handler; a connection that parks between requests may resume on another.</summary>
    public WorkerContext Worker { get; set; }

    /// <summary>Set for connections that may give their worker back while they wait for their client (async pools).</summary>
    public WorkerParking? Parking { get; set; }

    public MoonSocket? Socket => _socket;

    /// <summary>
    /// Set when the connection may rest between requests (<see cref="RestingConnection"/>): its connect handler is one
    /// that asks to (<see cref="IRestingConnectHandler"/>), it runs on an event loop in an async pool, on the system clock.
    /// </summary>
    public bool MayRest { get; init; }

    /// <summary>Whether this call serves a connection woken from a rest, rather than one new to the pool.</summary>
    public bool Woken { get; init; }

    /// <summary>
    /// Set by a connect handler that returns only to rest, not to end its connection: how long the connection may then
    /// stay idle before it is closed (<see cref="System.Threading.Timeout.InfiniteTimeSpan"/>: as long as the client likes).
    /// </summary>
    public TimeSpan? RestFor { get; set; }

    /// <summary>Whether a handler set a <c>timeout(n)</c> still running: it bounds the whole connection, which then never rests.</summary>
    public bool HasTimer => Volatile.Read(ref _deadline) is { Remaining: var left } && left != System.Threading.Timeout.InfiniteTimeSpan;

    /// <summary>The pool's clock (<see cref="ListenOptions.TimeProvider"/>), for every deadline of the handler and its connection.</summary>
    public TimeProvider TimeProvider { get; }

    public CancellationToken Token => _cancellation.Token;

    /// <summary>Cancelled when the server begins a graceful stop: finish the current exchange, start no new one.</summary>
    public CancellationToken Stopping { get; init; }

    public bool TimedOut => Volatile.Read(ref _expired) != 0;

    /// <summary>Seconds left on the timer, 0 when none is set (Lua <c>timeout()</c>).</summary>
    public double Remaining
    {
        get
        {
            TimeSpan remaining = Volatile.Read(ref _deadline)?.Remaining ?? System.Threading.Timeout.InfiniteTimeSpan;
            return remaining == System.Threading.Timeout.InfiniteTimeSpan ? 0 : remaining.TotalSeconds;
        }
    }

    /// <summary>Sets (positive) or clears (zero) the timer; returns the seconds that were left (Lua <c>timeout(n)</c>).</summary>
    public double Set(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0 || seconds > 1e8)
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Interval in seconds expected (0 to 1e8).");
        }

        double previous = Remaining;
        if (seconds == 0)
        {
            Volatile.Read(ref _deadline)?.Disarm();
        }
        else
        {
            try
            {
                Timer().Arm(TimeSpan.FromSeconds(seconds));
            }
            catch (ObjectDisposedException)
            {
                // A task the handler left running after it returned: its handler, and so its timer, is gone.
            }
        }

        return previous;
    }

    /// <summary>Runs <paramref name="action"/> under a sub-timer, restoring the outer timer after (Lua <c>timeout(n, f)</c>).</summary>
    public T Run<T>(double seconds, Func<T> action)
    {
        double outer = Remaining;
        if (outer == 0)
        {
            Set(seconds);
            try
            {
                return action();
            }
            finally
            {
                Set(0);
            }
        }

        if (seconds >= outer)
        {
            return action();
        }

        long started = TimeProvider.GetTimestamp();
        Set(seconds);
        try
        {
            return action();
        }
        finally
        {
            RestoreOuter(outer, started);
        }
    }

    /// <summary>The async form of <see cref="Run{T}"/>.</summary>
    public async ValueTask<T> RunAsync<T>(double seconds, Func<CancellationToken, ValueTask<T>> action)
    {
        double outer = Remaining;
        if (outer == 0)
        {
            Set(seconds);
            try
            {
                return await action(Token).ConfigureAwait(false);
            }
            finally
            {
                Set(0);
            }
        }

        if (seconds >= outer)
        {
            return await action(Token).ConfigureAwait(false);
        }

        long started = TimeProvider.GetTimestamp();
        Set(seconds);
        try
        {
            return await action(Token).ConfigureAwait(false);
        }
        finally
        {
            RestoreOuter(outer, started);
        }
    }

    private void RestoreOuter(double outer, long started)
    {
        if (TimedOut)
        {
            return;
        }

        double left = outer - TimeProvider.GetElapsedTime(started).TotalSeconds;
        if (left > 0)
        {
            Set(left);
        }
        else
        {
            Volatile.Read(ref _deadline)?.Disarm();
            Expire();
        }
    }

    /// <summary>
    /// The deadline, made at the first <c>timeout(n)</c>: most handlers never set one, and an idle connection should not
    /// carry it. Its own token is not the handler's: the handler's is also cancelled by the server's abort.
    /// </summary>
    private Deadline Timer()
    {
        if (Volatile.Read(ref _deadline) is { } existing)
        {
            return existing;
        }

        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var made = new Deadline(TimeProvider, static state => ((HandlerScope)state!).Expire(), this, boundsHandlerCode: true);
        Deadline? raced = Interlocked.CompareExchange(ref _deadline, made, null);
        if (raced is not null)
        {
            made.Dispose();
            return raced;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            // Disposed while this was made: the deadline must not outlive the scope.
            made.Dispose();
        }

        return made;
    }

    /// <summary>Runs once, on the deadline's timer thread or when a restored outer timer has already run out.</summary>
    private void Expire()
    {
        if (Interlocked.Exchange(ref _expired, 1) != 0)
        {
            return;
        }

        _onExpired(this);

        // Cancel before the reset: a handler woken by the reset must find its token already cancelled.
        try
        {
            _cancellation.Cancel();
        }
        catch (AggregateException)
        {
            // Exceptions from the handler's own cancellation callbacks must not escape the timer thread.
        }
        catch (ObjectDisposedException)
        {
            // The handler ended and its scope was disposed while the expiry was already on its way.
        }

        _socket?.Abort(SocketError.TimedOut);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        Volatile.Read(ref _deadline)?.Dispose();
        _cancellation.Dispose();
    }
}
