using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// The worker scheduling of one <c>listen</c> pool, after the original's master loop: at most
/// <c>MaxFork</c> workers, at least <c>MinFork</c>, <c>PreFork</c> spares kept idle, spare starts spaced by
/// <c>ForkDelay</c>, no start for <c>ForkErrorDelay</c> after a failed prepare, one surplus idle worker
/// retired per <c>ExitDelay</c>, idle workers retired after <c>IdleTimeout</c>. Unlike the original's
/// master, a renter that finds no idle worker starts one at once: requests that arrive together get
/// their workers together instead of one per <c>ForkDelay</c>.
/// </summary>
/// <param name="options">The pool's options: fork bounds, delays, timeouts and clock.</param>
/// <param name="logger">The server's log.</param>
/// <param name="serverAbort">Cancelled when the server aborts its handlers, the prepare and finish handlers included.</param>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "Lives as long as its server; waiters may still touch the semaphore after stop.")]
internal sealed partial class WorkerPool(ListenOptions options, ILogger logger, CancellationToken serverAbort)
{
    private readonly ListenOptions _options = options;
    private readonly TimeProvider _clock = options.TimeProvider;
    private readonly int _preFork = options.EffectivePreFork;
    private readonly int _minFork = options.EffectiveMinFork;
    private readonly int _maxFork = options.EffectiveMaxFork;
    private readonly Lock _lock = new();
    private readonly List<Worker> _idle = [];
    private readonly Queue<TaskCompletionSource<Worker?>> _waiters = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _allRetired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _total;
    private int _nextId;
    private long _nextStartAllowed;
    private long _errorPauseUntil;
    private long _lastExit = options.TimeProvider.GetTimestamp(); // timestamps of _clock
    private bool _stopping;

    /// <summary>Workers alive, busy or idle (including ones being prepared or finished).</summary>
    public int Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>Workers waiting for work.</summary>
    public int Idle
    {
        get
        {
            lock (_lock)
            {
                return _idle.Count;
            }
        }
    }

    public void Start() => _ = MaintainAsync();

    /// <summary>As <see cref="RentAsync"/>, with null also when <paramref name="cancellationToken"/> ends the wait (a stopping server).</summary>
    public ValueTask<Worker?> RentOrNullAsync(CancellationToken cancellationToken)
    {
        ValueTask<Worker?> renting = RentAsync(cancellationToken);
        return renting.IsCompletedSuccessfully ? renting : NullWhenCancelledAsync(renting);
    }

    private static async ValueTask<Worker?> NullWhenCancelledAsync(ValueTask<Worker?> renting)
    {
        try
        {
            return await renting.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Takes an idle worker, starts one if the pool may grow, or waits for one; null once stopping.</summary>
    public ValueTask<Worker?> RentAsync(CancellationToken cancellationToken)
    {
        // A parked keep-alive connection resuming takes an idle worker per request: that costs no async method.
        lock (_lock)
        {
            if (!_stopping && TakeIdleLocked() is { } worker)
            {
                return new ValueTask<Worker?>(worker);
            }
        }

        return RentOrWaitAsync(cancellationToken);
    }

    /// <summary>The most recently idle worker, or null; under the lock.</summary>
    private Worker? TakeIdleLocked()
    {
        if (_idle.Count == 0)
        {
            return null;
        }

        Worker worker = _idle[^1];
        _idle.RemoveAt(_idle.Count - 1);
        if (_idle.Count < _preFork)
        {
            // Only then has the maintenance loop work to do (a spare to start): a rent per request (a parked
            // connection resuming) must not wake it every time.
            _wake.Release();
        }

        return worker;
    }

    private async ValueTask<Worker?> RentOrWaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TaskCompletionSource<Worker?>? waiter = null;
            lock (_lock)
            {
                if (_stopping)
                {
                    return null;
                }

                if (TakeIdleLocked() is { } worker)
                {
                    return worker;
                }

                if (_total < _maxFork)
                {
                    _total++;
                }
                else
                {
                    waiter = new TaskCompletionSource<Worker?>(TaskCreationOptions.RunContinuationsAsynchronously);
                    _waiters.Enqueue(waiter);
                }
            }

            if (waiter is not null)
            {
                await using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource<Worker?>)state!).TrySetResult(null), waiter).ConfigureAwait(false))
                {
                    Worker? handed = await waiter.Task.ConfigureAwait(false);
                    if (cancellationToken.IsCancellationRequested && handed is not null)
                    {
                        Return(handed, reuse: true);
                    }

                    cancellationToken.ThrowIfCancellationRequested();
                    return handed;
                }
            }

            Worker? started = await StartWorkerAsync(StartKind.Demand, cancellationToken).ConfigureAwait(false);
            if (started is not null)
            {
                return started;
            }
        }
    }

    /// <summary>Gives a worker back after a connect call: kept for reuse, or retired (finish handler).</summary>
    public void Return(Worker worker, bool reuse)
    {
        lock (_lock)
        {
            if (reuse && !_stopping)
            {
                while (_waiters.TryDequeue(out TaskCompletionSource<Worker?>? waiter))
                {
                    if (waiter.TrySetResult(worker))
                    {
                        return;
                    }
                }

                // The maintenance loop is not woken: retiring surplus idle workers waits for ExitDelay anyway,
                // and it looks again within a second.
                worker.IdleSince = IO.EventLoop.EpollLoop.Timestamp(_clock);
                _idle.Add(worker);
                return;
            }
        }

        _ = RetireAsync(worker);
    }

    /// <summary>Stops starting workers, retires idle ones and wakes waiting renters; busy workers retire when returned.</summary>
    public Task StopAsync()
    {
        List<Worker> idle;
        lock (_lock)
        {
            _stopping = true;
            idle = [.. _idle];
            _idle.Clear();
            while (_waiters.TryDequeue(out TaskCompletionSource<Worker?>? waiter))
            {
                waiter.TrySetResult(null);
            }
        }

        _stop.Cancel();
        foreach (Worker worker in idle)
        {
            _ = RetireAsync(worker);
        }

        CheckAllRetired();
        return _allRetired.Task;
    }

    private async Task<Worker?> StartWorkerAsync(StartKind kind, CancellationToken cancellationToken)
    {
        try
        {
            if (kind != StartKind.Replacement)
            {
                long now = _clock.GetTimestamp();
                long start;
                lock (_lock)
                {
                    start = Math.Max(now, _errorPauseUntil);
                    if (kind == StartKind.Spare)
                    {
                        start = Math.Max(start, _nextStartAllowed);
                    }

                    // A start on demand also holds back the next spare: the pool does not pile spares on a burst.
                    _nextStartAllowed = Math.Max(_nextStartAllowed, start + Ticks(_options.ForkDelay));
                }

                if (start > now)
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
                    await Task.Delay(_clock.GetElapsedTime(now, start), _clock, linked.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            Forget();
            throw;
        }

        var worker = new Worker(new WorkerContext(_options.Name, Interlocked.Increment(ref _nextId)), dedicatedThread: _options.Connect is not null);
        if (!await RunWorkerHandlerAsync(worker, _options.Prepare, _options.PrepareAsync, isPrepare: true).ConfigureAwait(false))
        {
            lock (_lock)
            {
                _errorPauseUntil = _clock.GetTimestamp() + Ticks(_options.EffectiveForkErrorDelay);
            }

            worker.Stop();
            Forget();
            return null;
        }

        ServerLog.WorkerStarted(logger, worker.Context);
        return worker;
    }

    private void Forget()
    {
        lock (_lock)
        {
            _total--;
        }

        _wake.Release();
        CheckAllRetired();
    }

    private async Task RetireAsync(Worker worker)
    {
        await RunWorkerHandlerAsync(worker, _options.Finish, _options.FinishAsync, isPrepare: false).ConfigureAwait(false);
        worker.Stop();
        ServerLog.WorkerRetired(logger, worker.Context);

        bool replace;
        lock (_lock)
        {
            _total--;
            replace = !_stopping && _waiters.Count > 0 && _total < _maxFork;
            if (replace)
            {
                _total++;
            }
        }

        _wake.Release();
        if (replace)
        {
            // A replacement for a retired worker is not held back by ForkDelay, as in the original.
            Worker? started = await StartWorkerAsync(StartKind.Replacement, CancellationToken.None).ConfigureAwait(false);
            if (started is not null)
            {
                Return(started, reuse: true);
            }
        }

        CheckAllRetired();
    }

    private async Task<bool> RunWorkerHandlerAsync(Worker worker, WorkerHandler? handler, AsyncWorkerHandler? asyncHandler, bool isPrepare)
    {
        if (handler is null && asyncHandler is null)
        {
            return true;
        }

        using var scope = new HandlerScope(worker.Context, null, _options.TimeProvider, s => ServerLog.HandlerTimedOut(logger, s.Worker), serverAbort);
        try
        {
            if (handler is not null)
            {
                await worker.Run(() =>
                {
                    HandlerScope.Current = scope;
                    try
                    {
                        handler(worker.Context);
                        return true;
                    }
                    finally
                    {
                        HandlerScope.Current = null;
                    }
                }).ConfigureAwait(false);
            }
            else
            {
                HandlerScope.Current = scope;
                await asyncHandler!(worker.Context, scope.Token).ConfigureAwait(false);
            }

            return !scope.TimedOut;
        }
        catch (Exception e)
        {
            if (isPrepare)
            {
                ServerLog.PrepareHandlerFailed(logger, worker.Context, e);
            }
            else
            {
                ServerLog.FinishHandlerFailed(logger, worker.Context, e);
            }

            return false;
        }
    }

    private void CheckAllRetired()
    {
        lock (_lock)
        {
            if (_stopping && _total == 0)
            {
                _allRetired.TrySetResult();
            }
        }
    }

    private enum StartKind
    {
        /// <summary>Kept ready by the pool itself (<c>PreFork</c>, <c>MinFork</c>): spaced by <c>ForkDelay</c>.</summary>
        Spare,

        /// <summary>For a connection that found no idle worker: at once, unless a failed prepare paused starts.</summary>
        Demand,

        /// <summary>For a retired worker while connections wait: at once, as in the original.</summary>
        Replacement,
    }

    private long Ticks(TimeSpan time) => (long)(time.TotalSeconds * _clock.TimestampFrequency);
}
