using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// Live records of one kind in Redis. The instance that registers an entry holds it: it claims the id, then the
/// table's one publishing loop (<c>RecordTable.Publishing.cs</c>) writes the entry's state at most every
/// <see cref="RedisStoreOptions.PublishInterval"/> (and renews the lease every third of <see cref="RedisStoreOptions.Lease"/>),
/// and once the entry is finished and released writes its final state with its expiry. Every write is announced on the
/// kind's channel. The request itself never waits for those writes.
/// </summary>
internal sealed partial class RecordTable<TEntry, TSnapshot> : IAsyncDisposable
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
                kind.RemovedElsewhere(held.Entry);
            }
        };
        _publisher = PublishLoopAsync();
    }

    public ChangeFeed Feed { get; }

    /// <summary>Subscribes to the kind's channel and creates the table; <paramref name="store"/> names it in the log.</summary>
    public static async Task<RecordTable<TEntry, TSnapshot>> CreateAsync(IConnectionMultiplexer redis, IRecordKind<TEntry, TSnapshot> kind, RedisStoreOptions options, ILogger logger, string store)
    {
        ChangeFeed feed = await ChangeFeed.StartAsync(redis, options.KeyPrefix + kind.Name).ConfigureAwait(false);
        return new RecordTable<TEntry, TSnapshot>(redis.GetDatabase(), feed, kind, options, new RedisHealth(logger, store, options));
    }

    public RedisHealth Health { get; }

    /// <summary>The entry this instance holds under <paramref name="id"/>, if any.</summary>
    public TEntry? FindHeld(string id) => _held.TryGetValue(id, out Held? held) ? held.Entry : null;

    /// <summary>Claims the entry's id in Redis and starts publishing it; false when the id is taken or Redis did not answer.</summary>
    public async ValueTask<bool> TryClaimAsync(TEntry entry, CancellationToken cancellationToken)
    {
        string id = _kind.Id(entry);
        TSnapshot snapshot = _kind.Snapshot(entry);
        var held = new Held(entry, Convert.ToHexString(Guid.NewGuid().ToByteArray()), _kind.Version(snapshot), _options.TimeProvider.GetTimestamp());
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

        held.Claimed = true;
        WakePublisher(idleOnly: true);
        return true;
    }

    /// <summary>Says when the entry's record expires once it is finished; its final state is written then.</summary>
    public void Release(TEntry entry, DateTimeOffset expiresAt)
    {
        if (_held.TryGetValue(_kind.Id(entry), out Held? held) && ReferenceEquals(held.Entry, entry))
        {
            held.ExpiresAt = expiresAt;
            WakePublisher(idleOnly: false);
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
        bool held = _held.TryRemove(id, out _);
        try
        {
            RedisResult result = await RunAsync(RecordScripts.Remove, id, [Feed.Channel.ToString(), id], cancellationToken).ConfigureAwait(false);
            return (int)result == 1;
        }
        catch (Exception e) when (IsRedisFailure(e, cancellationToken))
        {
            Health.Failed(e);
            return held;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposing, 1) != 0)
        {
            return;
        }

        await _disposed.CancelAsync().ConfigureAwait(false);
        try
        {
            await _publisher.WaitAsync(_options.Timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A write still waiting for Redis; the records expire with their leases.
        }

        _disposed.Dispose();
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

    /// <summary>An entry this instance holds: its claim token, the last version written and when, its release.</summary>
    private sealed class Held(TEntry entry, string token, long written, long writtenAt)
    {
        public TEntry Entry { get; } = entry;

        public string Token { get; } = token;

        /// <summary>Set once the claim succeeded: only then does the publishing loop write the entry.</summary>
        public bool Claimed { get; set; }

        public long Written { get; set; } = written;

        /// <summary>When the last write (or the claim) reached Redis, a timestamp of the options' clock.</summary>
        public long WrittenAt { get; set; } = writtenAt;

        /// <summary>When the entry was first seen finished without a release (0: not yet).</summary>
        public long FinishedAt { get; set; }

        /// <summary>When the released record expires; null until <see cref="Release"/>.</summary>
        public DateTimeOffset? ExpiresAt { get; set; }

        /// <summary>When the first try of the final write began (0: not yet).</summary>
        public long FinalSince { get; set; }

        /// <summary>Before this timestamp the loop leaves the entry alone (a final write Redis did not answer waits a second).</summary>
        public long RetryAt { get; set; }
    }
}
