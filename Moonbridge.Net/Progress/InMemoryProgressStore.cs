using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress;

/// <summary>
/// The progress table of one process: a bounded dictionary of running and finished requests, with
/// finished ones expiring at the time given to <see cref="ReleaseAsync"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Bound.</b> At most <see cref="Capacity"/> entries, running and finished together. When a new id
/// finds the table full, expired entries go first, then the finished entry closest to its expiry (with
/// one TTL for all, the one that finished first): a running upload matters more than an old result.
/// When every entry is running, <see cref="TryAddAsync"/> returns false and the request goes untracked;
/// the upload itself never fails because of the table (nginx's module answers 503 there).
/// </para>
/// <para>
/// <b>Ids.</b> An id belongs to the request that registered it until its entry expires: a running id
/// cannot be taken over (lighttpd2 silently replaces it, letting anyone who learns an id hijack the
/// progress display), and neither can a finished one before its TTL is over, so nobody who learns an id
/// can overwrite the outcome its owner is about to read. A client that retries an upload uses a new id
/// (pages make one per upload), or waits for the TTL.
/// </para>
/// <para>
/// <b>Expiry</b> is lazy: every call drops the expired entries at the head of an expiry-ordered list
/// (amortised O(1)), and a lookup never returns an expired entry. No timer runs; call
/// <see cref="RemoveExpired"/> to free memory eagerly while the store is idle.
/// </para>
/// <para>All members are thread-safe; each holds one short lock and none of them waits inside it.</para>
/// </remarks>
public sealed class InMemoryProgressStore : IProgressStore
{
    /// <summary>The default <see cref="Capacity"/>: 10,000 entries, running and finished.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly ExpiringTable<ProgressEntry> _entries;

    /// <summary>Creates an empty store.</summary>
    /// <param name="capacity">The most entries, running and finished, the store holds; at least 1.</param>
    /// <param name="timeProvider">The clock expiry is measured against; null for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public InMemoryProgressStore(int capacity = DefaultCapacity, TimeProvider? timeProvider = null)
    {
        _entries = new ExpiringTable<ProgressEntry>(capacity, timeProvider);
    }

    /// <summary>The most entries, running and finished, the store holds.</summary>
    public int Capacity => _entries.Capacity;

    /// <summary>How many entries the store holds now, including expired ones not yet dropped.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc/>
    public ValueTask<bool> TryAddAsync(ProgressEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ValueTask.FromResult(TryAdd(entry));
    }

    /// <inheritdoc/>
    public ValueTask<ProgressSnapshot> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ValueTask.FromResult(Find(id)?.Snapshot() ?? ProgressSnapshot.Unknown);
    }

    /// <inheritdoc/>
    public ValueTask<ProgressSnapshot> WaitForChangeAsync(string id, long afterVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ProgressEntry? entry = Find(id);
        return entry is null
            ? ValueTask.FromResult(ProgressSnapshot.Unknown)
            : entry.WaitForChangeAsync(afterVersion, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(ProgressEntry entry, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Release(entry, expiresAt);
        return ValueTask.CompletedTask;
    }

    /// <summary>Drops every finished entry whose expiry time has passed.</summary>
    /// <returns>How many entries were dropped.</returns>
    public int RemoveExpired() => _entries.RemoveExpired();

    // A finished entry never runs again, so only a running one may claim an id.
    private bool TryAdd(ProgressEntry entry) => entry.IsRunning && _entries.TryAdd(entry.Id, entry);

    private ProgressEntry? Find(string id) => _entries.Find(id);

    private void Release(ProgressEntry entry, DateTimeOffset expiresAt)
    {
        // Outside the table's lock: aborting wakes the entry's waiters.
        entry.Abort();
        _entries.Release(entry.Id, entry, expiresAt);
    }
}
