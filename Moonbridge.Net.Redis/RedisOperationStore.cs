using Microsoft.Extensions.Logging;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Redis.Internal;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis;

/// <summary>
/// Status documents of <c>Prefer: respond-async</c> operations shared by every server instance that uses the same
/// Redis and <see cref="RedisStoreOptions.KeyPrefix"/>: a document can be read, followed (<c>102</c>s) and deleted
/// through any instance, whichever runs the job.
/// </summary>
/// <remarks>
/// <para>
/// The instance running an operation holds its document: it writes each progress report at most every
/// <see cref="RedisStoreOptions.PublishInterval"/> (announced by pub/sub to waiting readers) and the final response
/// once the job ends, kept until the operation's time to live. It also renews a lease every third of
/// <see cref="RedisStoreOptions.Lease"/>; a running document whose lease has run out (its instance died or lost
/// Redis) reads as completed with a <c>500</c> saying so, for an hour, instead of running for ever.
/// </para>
/// <para>
/// A <c>DELETE</c> through another instance removes the document for everyone; the job itself runs on to its end on
/// its instance (only that instance can cancel it) and its result is then dropped.
/// </para>
/// </remarks>
public sealed class RedisOperationStore : IOperationStore, IAsyncDisposable
{
    private readonly RecordTable<OperationEntry, OperationSnapshot> _records;
    private readonly RedisStoreOptions _options;

    private RedisOperationStore(RecordTable<OperationEntry, OperationSnapshot> records, RedisStoreOptions options)
    {
        _records = records;
        _options = options;
    }

    /// <summary>Creates the store on a connection and subscribes to its change channel.</summary>
    /// <param name="redis">The connection (see <see cref="RedisConnection.ConnectAsync"/>); the store does not dispose it.</param>
    /// <param name="options">Key prefix, intervals, clock and logging; defaults when null.</param>
    /// <returns>The store; dispose it to stop publishing.</returns>
    public static async Task<RedisOperationStore> CreateAsync(IConnectionMultiplexer redis, RedisStoreOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        options ??= new RedisStoreOptions();
        var records = await RecordTable<OperationEntry, OperationSnapshot>.CreateAsync(redis, new OperationKind(), options, options.LoggerFactory.CreateLogger<RedisOperationStore>(), "operation store").ConfigureAwait(false);
        return new RedisOperationStore(records, options);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAddAsync(OperationEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return _records.TryClaimAsync(entry, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<OperationSnapshot?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_records.FindHeld(id) is { } entry)
        {
            return entry.Snapshot();
        }

        StoredRecord? stored = await _records.ReadAsync(id, cancellationToken).ConfigureAwait(false);
        OperationSnapshot? snapshot = OperationCodec.Decode(stored?.State);
        if (snapshot is { State: OperationState.Running } && stored is { HasLease: false, IsFinal: false })
        {
            // Nobody renews it: the instance running it is gone, and so is the job.
            return snapshot with
            {
                State = OperationState.Completed,
                Version = snapshot.Version + 1,
                Result = OperationResult.Text("The server instance running this operation stopped before it finished.\n", 500),
            };
        }

        return snapshot;
    }

    /// <inheritdoc/>
    public async ValueTask<OperationSnapshot?> WaitForChangeAsync(string id, long afterVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (_records.FindHeld(id) is { } entry)
        {
            OperationSnapshot local = await entry.WaitForChangeAsync(afterVersion, cancellationToken).ConfigureAwait(false);
            return _records.FindHeld(id) is null && await GetAsync(id, cancellationToken).ConfigureAwait(false) is null ? null : local;
        }

        // Listening before reading, so that a change between the two is not missed.
        using ChangeFeed.Listener listener = _records.Feed.Listen(id);
        OperationSnapshot? snapshot = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        while (snapshot is { State: OperationState.Running } && snapshot.Version <= afterVersion)
        {
            // A third of a lease without news: reading again tells whether the holder still renews it.
            string? published = await listener.NextAsync(_options.Lease / 3, cancellationToken).ConfigureAwait(false);
            snapshot = published is null ? await GetAsync(id, cancellationToken).ConfigureAwait(false) : OperationCodec.Decode(published);
        }

        return snapshot;
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(OperationEntry entry, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _records.Release(entry, expiresAt);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _records.RemoveAsync(id, cancellationToken);
    }

    /// <summary>Stops publishing (final responses still being written get <see cref="RedisStoreOptions.Timeout"/>) and unsubscribes.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        await _records.DisposeAsync().ConfigureAwait(false);
        await _records.Feed.DisposeAsync().ConfigureAwait(false);
    }
}
