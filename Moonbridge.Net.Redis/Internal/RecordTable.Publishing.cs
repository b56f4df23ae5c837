using System.Globalization;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// The table's one publishing loop. Every <see cref="RedisStoreOptions.PublishInterval"/> it writes the held entries
/// that changed since their last write and renews the leases that are due; a release wakes it at once for the entry's
/// final write. One loop and one timer for all entries, rather than a loop per entry waiting on that entry's changes:
/// however many uploads are tracked, the store holds one pending wait, and the writes of a tick share the connection's
/// pipeline. (For a short upload, which rarely sees a tick, the thread-pool work per upload is the same as before:
/// about 17 work items, nearly all StackExchange.Redis's own.)
/// </summary>
internal sealed partial class RecordTable<TEntry, TSnapshot>
{
    private readonly Task _publisher;
    private TaskCompletionSource _signal = NewSignal();
    private int _idle;
    private long _lastTick;

    /// <summary>Wakes the loop: always for a release (its final write goes out at once), only from its idle wait for a claim.</summary>
    private void WakePublisher(bool idleOnly)
    {
        if (!idleOnly || Volatile.Read(ref _idle) == 1)
        {
            Volatile.Read(ref _signal).TrySetResult();
        }
    }

    private async Task PublishLoopAsync()
    {
        CancellationToken stop = _disposed.Token;
        TimeProvider clock = _options.TimeProvider;
        _lastTick = clock.GetTimestamp();
        try
        {
            bool tick = false;
            while (true)
            {
                // Replaced before the scan: a wake-up during it completes the new signal, so the next wait ends at once.
                if (_signal.Task.IsCompleted)
                {
                    Volatile.Write(ref _signal, NewSignal());
                }

                if (tick)
                {
                    _lastTick = clock.GetTimestamp();
                }

                await PublishDueAsync(tick, stop).ConfigureAwait(false);
                tick = await WaitForWorkAsync(clock, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The store is closing.
        }
    }

    /// <summary>Waits for the next tick (true) or a wake-up (false); with nothing held, for a wake-up only.</summary>
    private async Task<bool> WaitForWorkAsync(TimeProvider clock, CancellationToken stop)
    {
        Task signal = Volatile.Read(ref _signal).Task;
        if (_held.IsEmpty)
        {
            Volatile.Write(ref _idle, 1);

            // An entry added before the flag was set did not wake the loop: look again.
            if (_held.IsEmpty)
            {
                await signal.WaitAsync(stop).ConfigureAwait(false);
                Volatile.Write(ref _idle, 0);
                _lastTick = clock.GetTimestamp();
                return false;
            }

            Volatile.Write(ref _idle, 0);
        }

        // The next tick is an interval after the last one, however many wake-ups came between: releases that come
        // all the time must not starve the running entries' writes.
        TimeSpan untilTick = _options.PublishInterval - clock.GetElapsedTime(_lastTick);
        if (untilTick <= TimeSpan.Zero)
        {
            return true;
        }

        using var interval = CancellationTokenSource.CreateLinkedTokenSource(stop);
        Task delay = Task.Delay(untilTick, clock, interval.Token);
        Task first = await Task.WhenAny(delay, signal).ConfigureAwait(false);

        // A wake-up that won leaves no timer behind to fire later on a pool thread for nothing.
        interval.Cancel();
        stop.ThrowIfCancellationRequested();
        return first == delay;
    }

    /// <summary>
    /// Writes what is due, all at once (the writes share the connection's pipeline): final states of released entries
    /// always, and on a tick the entries that changed and the leases due for renewal.
    /// </summary>
    private async Task PublishDueAsync(bool tick, CancellationToken stop)
    {
        TimeProvider clock = _options.TimeProvider;
        long now = clock.GetTimestamp();
        TimeSpan renewal = _options.Lease / 3;
        List<Task>? writes = null;
        foreach (KeyValuePair<string, Held> pair in _held)
        {
            Held held = pair.Value;
            if (!held.Claimed || now < held.RetryAt)
            {
                continue;
            }

            try
            {
                TSnapshot snapshot = _kind.Snapshot(held.Entry);
                if (_kind.IsFinished(snapshot))
                {
                    if (ShouldWriteFinal(held, now))
                    {
                        (writes ??= []).Add(WriteFinalAsync(pair.Key, held, snapshot, now, stop));
                    }
                }
                else if (tick && (_kind.Version(snapshot) > held.Written || clock.GetElapsedTime(held.WrittenAt, now) >= renewal))
                {
                    (writes ??= []).Add(WriteRunningAsync(pair.Key, held, snapshot, now, stop));
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Drop(pair.Key, held, e);
            }
        }

        if (writes is not null)
        {
            await Task.WhenAll(writes).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A finished entry's final state is written once it is released (a progress entry is released just after it
    /// finishes, an operation just before); one never released is written a lease after it finished, expiring a lease later.
    /// </summary>
    private bool ShouldWriteFinal(Held held, long now)
    {
        if (held.ExpiresAt is not null)
        {
            return true;
        }

        if (held.FinishedAt == 0)
        {
            held.FinishedAt = now;
            return false;
        }

        if (_options.TimeProvider.GetElapsedTime(held.FinishedAt, now) < _options.Lease)
        {
            return false;
        }

        held.ExpiresAt = _options.TimeProvider.GetUtcNow() + _options.Lease;
        return true;
    }

    /// <summary>
    /// A record the kind could not describe (its snapshot or its encoding threw) is no longer published, and the failure
    /// is logged once: the loop serves every record of the store, so one bad record must not end it.
    /// </summary>
    private void Drop(string id, Held held, Exception exception)
    {
        if (_held.TryRemove(new KeyValuePair<string, Held>(id, held)))
        {
            Health.RecordDropped(id, exception);
        }
    }

    private async Task WriteRunningAsync(string id, Held held, TSnapshot snapshot, long now, CancellationToken stop)
    {
        bool? written;
        try
        {
            written = await TryWriteAsync(id, held, snapshot, "renew", Milliseconds(_kind.RunningTimeToLive), stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Drop(id, held, e);
            return;
        }

        if (written is true)
        {
            held.WrittenAt = now;
        }
        else if (written is false)
        {
            // Removed, or taken by another instance after this one's lease ran out: nothing more to publish.
            _held.TryRemove(new KeyValuePair<string, Held>(id, held));
        }

        // Redis did not answer (null): the next tick tries again, the lease still being due.
    }

    private async Task WriteFinalAsync(string id, Held held, TSnapshot final, long now, CancellationToken stop)
    {
        held.FinalSince = held.FinalSince == 0 ? now : held.FinalSince;
        string at = held.ExpiresAt!.Value.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        bool? written;
        try
        {
            written = await TryWriteAsync(id, held, final, "final", at, stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Drop(id, held, e);
            return;
        }

        if (written is null && _options.TimeProvider.GetElapsedTime(held.FinalSince, now) < _options.Lease)
        {
            // Redis did not answer: tried again a second later, for as long as a lease.
            held.RetryAt = now + (long)(s_finalRetry.TotalSeconds * _options.TimeProvider.TimestampFrequency);
            return;
        }

        _held.TryRemove(new KeyValuePair<string, Held>(id, held));
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
