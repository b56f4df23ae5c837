using Microsoft.Extensions.Logging;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Redis.Internal;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis;

/// <summary>
/// Progress tracking shared by every server instance that uses the same Redis and <see cref="RedisStoreOptions.KeyPrefix"/>:
/// an upload tracked on one instance can be polled (json, jsonp, legacy) and followed (SSE, <c>102</c>s) on any other.
/// </summary>
/// <remarks>
/// <para>
/// The instance that receives a request holds its entry: it claims the id in Redis (refused when the id is live
/// anywhere, as in one process), then writes the counters at most every <see cref="RedisStoreOptions.PublishInterval"/>,
/// each write announced by pub/sub to the instances with readers waiting on that id, and at the end writes the
/// final state with its expiry (<c>PEXPIREAT</c>). Reads of an entry held here are served from memory.
/// </para>
/// <para>
/// A running entry lives in Redis for one <see cref="RedisStoreOptions.Lease"/> after its last write, so the entry
/// of an instance that died disappears (reads as unknown) instead of running for ever. When Redis does not answer,
/// requests go on untracked and reads of other instances' entries answer unknown; the outage is logged once.
/// </para>
/// </remarks>
public sealed class RedisProgressStore : IProgressStore, IAsyncDisposable
{
    private readonly RecordTable<ProgressEntry, ProgressSnapshot> _records;
    private readonly RedisStoreOptions _options;

    private RedisProgressStore(RecordTable<ProgressEntry, ProgressSnapshot> records, RedisStoreOptions options)
    {
        _records = records;
        _options = options;
    }

    /// <summary>Creates the store on a connection and subscribes to its change channel.</summary>
    /// <param name="redis">The connection (see <see cref="RedisConnection.ConnectAsync"/>); the store does not dispose it.</param>
    /// <param name="options">Key prefix, intervals, clock and logging; defaults when null.</param>
    /// <returns>The store; dispose it to stop publishing.</returns>
    public static async Task<RedisProgressStore> CreateAsync(IConnectionMultiplexer redis, RedisStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        options ??= new RedisStoreOptions();
        var records = await RecordTable<ProgressEntry, ProgressSnapshot>.CreateAsync(redis, new ProgressKind(options), options, options.LoggerFactory.CreateLogger<RedisProgressStore>(), "progress store").ConfigureAwait(false);
        return new RedisProgressStore(records, options);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAddAsync(ProgressEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.IsRunning ? _records.TryClaimAsync(entry, cancellationToken) : ValueTask.FromResult(false);
    }

    /// <inheritdoc/>
    public async ValueTask<ProgressSnapshot> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_records.FindHeld(id) is { } entry)
        {
            return entry.Snapshot();
        }

        return ProgressCodec.Decode((await _records.ReadAsync(id, cancellationToken).ConfigureAwait(false))?.State);
    }

    /// <inheritdoc/>
    public async ValueTask<ProgressSnapshot> WaitForChangeAsync(string id, long afterVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_records.FindHeld(id) is { } entry)
        {
            return await entry.WaitForChangeAsync(afterVersion, cancellationToken).ConfigureAwait(false);
        }

        // Listening before reading, so that a change between the two is not missed.
        using ChangeFeed.Listener listener = _records.Feed.Listen(id);
        ProgressSnapshot snapshot = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        while (snapshot.State != ProgressState.Unknown && snapshot.Version <= afterVersion && !snapshot.IsFinished)
        {
            // A lease's time without news: the holder may have died; reading again tells (the record expired).
            string? published = await listener.NextAsync(_options.Lease, cancellationToken).ConfigureAwait(false);
            snapshot = published is null ? await GetAsync(id, cancellationToken).ConfigureAwait(false) : ProgressCodec.Decode(published);
        }

        return snapshot;
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(ProgressEntry entry, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        entry.Abort();
        _records.Release(entry, expiresAt);
        return ValueTask.CompletedTask;
    }

    /// <summary>Stops publishing (final states still being written get <see cref="RedisStoreOptions.Timeout"/>) and unsubscribes.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        await _records.DisposeAsync().ConfigureAwait(false);
        await _records.Feed.DisposeAsync().ConfigureAwait(false);
    }
}
