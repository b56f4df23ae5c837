using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// Live records of one kind in Redis. The instance that registers an entry holds it: it claims the id, then a
/// background loop per entry writes the entry's state at most every <see cref="RedisStoreOptions.PublishInterval"/>
/// (and renews the lease every third of <see cref="RedisStoreOptions.Lease"/>), and once the entry is finished and
/// released writes its final state with its expiry. Every write is announced on the kind's channel. The request
/// itself never waits for those writes.
/// </summary>
internal sealed class RecordTable<TEntry, TSnapshot> : IAsyncDisposable
    where TEntry : class
{
    private static readonly TimeSpan s_finalRetry = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
    private readonly IDatabase _database;
    private readonly IRecordKind<TEntry, TSnapshot> _kind;
    private readonly RedisStoreOptions _options;
    private readonly string _prefix;
    private readonly CancellationTokenSource _disposed = new();
    private int _disposing;

    public RecordTable(IDatabase database, ChangeFeed feed, IRecordKind<TEntry, TSnapshot> kind, RedisStoreOptions options, RedisHealth health)
    {
        _database = database;
        Feed = feed;
        _kind = kind;
        _options = options;
        Health = health;
        _prefix = options.KeyPrefix + kind.Name + ":";

        // Removed through another instance: this one stops serving and publishing its copy.
        feed.Observer = (id, state) =>
        {
            if (state.Length == 0 && _held.TryRemove(id, out Held? held))
            {
                held.Stop.Cancel();
                kind.RemovedElsewhere(held.Entry);
            }
        };
    }

    public ChangeFeed Feed { get; }

    /// <summary>Subscribes to the kind's channel and creates the table; <paramref name="store"/> names it in the log.</summary>
    public static async Task<RecordTable<TEntry, TSnapshot>> CreateAsync(IConnectionMultiplexer redis, IRecordKind<TEntry, TSnapshot> kind, RedisStoreOptions options, ILogger logger, string store)
    {
        ChangeFeed feed = await ChangeFeed.StartAsync(redis, options.KeyPrefix + kind.Name).ConfigureAwait(false);
        return new RecordTable<TEntry, TSnapshot>(redis.GetDatabase(), feed, kind, options, new RedisHealth(logger, store));
    }

    public RedisHealth Health { get; }

    /// <summary>The entry this instance holds under <paramref name="id"/>, if any.</summary>
    public TEntry? FindHeld(string id) => _held.TryGetValue(id, out Held? held) ? held.Entry : null;

    /// <summary>Claims the entry's id in Redis and starts publishing it; false when the id is taken or Redis did not answer.</summary>
    public async ValueTask<bool> TryClaimAsync(TEntry entry, CancellationToken cancellationToken)
    {
        string id = _kind.Id(entry);
        TSnapshot snapshot = _kind.Snapshot(entry);
        var held = new Held(entry, Convert.ToHexString(Guid.NewGuid().ToByteArray()), _kind.Version(snapshot));
        if (!_held.TryAdd(id, held))
        {
            return false;
        }

        bool claimed = false;
        try
        {
            RedisResult result = await RunAsync(RecordScripts.Claim, id,
                [held.Token, held.Written, _kind.Encode(snapshot), Milliseconds(_kind.RunningTimeToLive), Milliseconds(_options.Lease), Feed.Channel.ToString(), id],
                cancellationToken).ConfigureAwait(false);
            claimed = (int)result == 1;
        }
        catch (Exception e) when (IsRedisFailure(e, cancellationToken))
        {
            Health.Failed(e);
        }

        if (!claimed)
        {
            _held.TryRemove(new KeyValuePair<string, Held>(id, held));
            return false;
        }

        // Started right here, on the pool thread the claim's reply came back on (a Redis reply is never completed
        // inline): a Task.Run would only cost another pool wake per claimed entry.
        held.Publishing = PublishAsync(id, held);
        return true;
    }

    /// <summary>Says when the entry's record expires once it is finished; its final state is written then.</summary>
    public void Release(TEntry entry, DateTimeOffset expiresAt)
    {
        if (_held.TryGetValue(_kind.Id(entry), out Held? held) && ReferenceEquals(held.Entry, entry))
        {
            held.Released.TrySetResult(expiresAt);
        }
    }

    /// <summary>The record as stored; null when there is none or Redis did not answer.</summary>
    public async ValueTask<StoredRecord?> ReadAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            RedisResult result = await RunAsync(RecordScripts.Read, id, [], cancellationToken).ConfigureAwait(false);
            RedisResult[] parts = (RedisResult[])result!;
            string? state = (string?)parts[0];
            return state is null ? null : new StoredRecord(state, (string?)parts[1] == "1", (int)parts[2] == 1);
        }
        catch (Exception e) when (IsRedisFailure(e, cancellationToken))
        {
            Health.Failed(e);
            return null;
        }
    }

    /// <summary>Removes the record (wherever it is held); true when it existed.</summary>
    public async ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken)
    {
        if (_held.TryRemove(id, out Held? held))
        {
            await held.Stop.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            RedisResult result = await RunAsync(RecordScripts.Remove, id, [Feed.Channel.ToString(), id], cancellationToken).ConfigureAwait(false);
            return (int)result == 1;
        }
        catch (Exception e) when (IsRedisFailure(e, cancellationToken))
        {
            Health.Failed(e);
            return held is not null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        Task[] loops = _held.Values.Select(h => h.Publishing).OfType<Task>().ToArray();
        try
        {
            await Task.WhenAll(loops).WaitAsync(_options.Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A final write still waiting for Redis; the records expire with their leases.
        }

        _disposed.Dispose();
    }

    private async Task PublishAsync(string id, Held held)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(held.Stop.Token, _disposed.Token);
        TimeSpan renewal = _options.Lease / 3;
        long lastWrite = _options.TimeProvider.GetTimestamp();
        try
        {
            while (true)
            {
                TSnapshot snapshot = await NextAsync(held, renewal - _options.TimeProvider.GetElapsedTime(lastWrite), stop.Token).ConfigureAwait(false);
                if (_kind.IsFinished(snapshot))
                {
                    await WriteFinalAsync(id, held, stop.Token).ConfigureAwait(false);
                    return;
                }

                TimeSpan early = _options.PublishInterval - _options.TimeProvider.GetElapsedTime(lastWrite);
                if (early > TimeSpan.Zero && _kind.Version(snapshot) > held.Written)
                {
                    // At most one write per interval: the changes meanwhile go out together. A release cuts the wait
                    // short, so a record's end reaches Redis at once.
                    using (var interval = CancellationTokenSource.CreateLinkedTokenSource(stop.Token))
                    {
                        await Task.WhenAny(Task.Delay(early, _options.TimeProvider, interval.Token), held.Released.Task).ConfigureAwait(false);

                        // A release that won leaves no timer behind to fire later on a pool thread for nothing. Cancelled
                        // here, synchronously: nothing waits on the delay any more, so no callback runs elsewhere.
                        interval.Cancel();
                    }

                    stop.Token.ThrowIfCancellationRequested();
                    snapshot = _kind.Snapshot(held.Entry);
                    if (_kind.IsFinished(snapshot))
                    {
                        await WriteFinalAsync(id, held, stop.Token).ConfigureAwait(false);
                        return;
                    }
                }

                if (await TryWriteAsync(id, held, snapshot, "renew", Milliseconds(_kind.RunningTimeToLive), stop.Token).ConfigureAwait(false) is false)
                {
                    // Removed, or taken by another instance after this one's lease ran out: nothing more to publish.
                    return;
                }

                lastWrite = _options.TimeProvider.GetTimestamp();
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Removed, or the store is closing.
        }
        finally
        {
            _held.TryRemove(new KeyValuePair<string, Held>(id, held));
        }
    }

    /// <summary>The entry's next state, or its current one when the lease is due for renewal first.</summary>
    private async ValueTask<TSnapshot> NextAsync(Held held, TimeSpan untilRenewal, CancellationToken stop)
    {
        if (untilRenewal <= TimeSpan.Zero)
        {
            return _kind.Snapshot(held.Entry);
        }

        using var renew = CancellationTokenSource.CreateLinkedTokenSource(stop);
        renew.CancelAfter(untilRenewal);
        try
        {
            return await _kind.WaitForChangeAsync(held.Entry, held.Written, renew.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return _kind.Snapshot(held.Entry);
        }
    }

    private async Task WriteFinalAsync(string id, Held held, CancellationToken stop)
    {
        // A progress entry is released just after it finishes, an operation just before: wait for the expiry, but
        // not for ever.
        DateTimeOffset expiresAt;
        try
        {
            expiresAt = await held.Released.Task.WaitAsync(_options.Lease, _options.TimeProvider, stop).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            expiresAt = _options.TimeProvider.GetUtcNow() + _options.Lease;
        }

        TSnapshot final = _kind.Snapshot(held.Entry);
        string at = expiresAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        long deadline = _options.TimeProvider.GetTimestamp();
        while (await TryWriteAsync(id, held, final, "final", at, stop).ConfigureAwait(false) is null
            && _options.TimeProvider.GetElapsedTime(deadline) < _options.Lease)
        {
            await Task.Delay(s_finalRetry, _options.TimeProvider, stop).ConfigureAwait(false);
        }
    }

    /// <summary>True when written, false when the record is no longer this holder's, null when Redis did not answer.</summary>
    private async ValueTask<bool?> TryWriteAsync(string id, Held held, TSnapshot snapshot, string mode, string time, CancellationToken stop)
    {
        long version = _kind.Version(snapshot);
        try
        {
            RedisResult result = await RunAsync(RecordScripts.Update, id,
                [held.Token, version, _kind.Encode(snapshot), mode, time, Milliseconds(_options.Lease), Feed.Channel.ToString(), id], stop).ConfigureAwait(false);
            Health.Succeeded();
            held.Written = Math.Max(held.Written, version);
            return (int)result == 1;
        }
        catch (Exception e) when (IsRedisFailure(e, stop))
        {
            Health.Failed(e);
            return null;
        }
    }

    private async Task<RedisResult> RunAsync(string script, string id, RedisValue[] arguments, CancellationToken cancellationToken)
    {
        RedisKey record = _prefix + id;
        RedisKey lease = _prefix + id + ":lease";
        RedisResult result = await _database.ScriptEvaluateAsync(script, [record, lease], arguments)
            .WaitAsync(_options.Timeout, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        Health.Succeeded();
        return result;
    }

    private static bool IsRedisFailure(Exception e, CancellationToken cancellationToken)
        => e is RedisException or TimeoutException or ObjectDisposedException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested);

    private static string Milliseconds(TimeSpan time) => ((long)time.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);

    /// <summary>An entry this instance holds: its claim token, the last version written, its release.</summary>
    private sealed class Held(TEntry entry, string token, long written)
    {
        public TEntry Entry { get; } = entry;

        public string Token { get; } = token;

        public long Written { get; set; } = written;

        public CancellationTokenSource Stop { get; } = new();

        public TaskCompletionSource<DateTimeOffset> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task? Publishing { get; set; }
    }
}
