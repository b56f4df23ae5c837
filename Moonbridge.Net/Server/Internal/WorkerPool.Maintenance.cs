namespace Moonbridge.Net.Server.Internal;

/// <summary>The pool's background upkeep: starting spares, retiring surplus and idle-expired workers.</summary>
internal sealed partial class WorkerPool
{
    private async Task MaintainAsync()
    {
        while (true)
        {
            Worker? retire = null;
            bool start = false;
            TimeSpan sleep = TimeSpan.FromSeconds(1);
            lock (_lock)
            {
                if (_stopping)
                {
                    return;
                }

                long now = _clock.GetTimestamp();
                if (_options.IdleTimeout > TimeSpan.Zero)
                {
                    sleep = Min(sleep, _options.IdleTimeout / 4);
                    int expired = _idle.FindIndex(w => _clock.GetElapsedTime(w.IdleSince, now) >= _options.IdleTimeout);
                    if (expired >= 0)
                    {
                        retire = _idle[expired];
                        _idle.RemoveAt(expired);
                    }
                }

                if (_options.ExitDelay > TimeSpan.Zero)
                {
                    sleep = Min(sleep, _options.ExitDelay / 4);
                }

                if (retire is null && _total > _minFork && _idle.Count > _preFork
                    && _clock.GetElapsedTime(_lastExit, now) >= _options.ExitDelay)
                {
                    retire = _idle[0];
                    _idle.RemoveAt(0);
                    _lastExit = now;
                }

                if (retire is null && _total < _maxFork && (_idle.Count < _preFork || _total < _minFork))
                {
                    _total++;
                    start = true;
                }
            }

            if (retire is not null)
            {
                _ = RetireAsync(retire);
                continue;
            }

            if (start)
            {
                try
                {
                    Worker? started = await StartWorkerAsync(StartKind.Spare, _stop.Token).ConfigureAwait(false);
                    if (started is not null)
                    {
                        Return(started, reuse: true);
                    }
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            // The nap is on the pool's clock, so a test clock's advance wakes the loop to find idle workers expired. A nap
            // that runs out is the usual end of a wait here, not an error: the wait does not throw for it.
            using var nap = new CancellationTokenSource(Max(sleep, TimeSpan.FromMilliseconds(10)), _clock);
            using var napOrStop = CancellationTokenSource.CreateLinkedTokenSource(nap.Token, _stop.Token);
            await _wake.WaitAsync(napOrStop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
