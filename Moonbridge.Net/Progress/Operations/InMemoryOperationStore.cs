using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>
/// The status documents of one process, bounded by <see cref="Capacity"/>. Completed operations expire
/// at the time given to <see cref="ReleaseAsync"/>, measured on the injected <see cref="TimeProvider"/>;
/// expiry is lazy (checked on every call, no timers). When full, expired documents go first, then the
/// completed one closest to expiry; when every document belongs to a running operation, a new one is
/// refused (the manager then answers 503 and does not start the operation). Thread-safe.
/// </summary>
public sealed class InMemoryOperationStore : IOperationStore
{
    /// <summary>The default capacity.</summary>
    public const int DefaultCapacity = 1000;

    private readonly ExpiringTable<OperationEntry> _documents;

    /// <summary>Creates an empty store.</summary>
    /// <param name="capacity">The most status documents held, at least 1.</param>
    /// <param name="timeProvider">The clock of expiry; null for <see cref="TimeProvider.System"/>.</param>
    public InMemoryOperationStore(int capacity = DefaultCapacity, TimeProvider? timeProvider = null)
    {
        _documents = new ExpiringTable<OperationEntry>(capacity, timeProvider);
    }

    /// <summary>The most status documents held.</summary>
    public int Capacity => _documents.Capacity;

    /// <summary>The documents held now, expired ones not yet dropped included.</summary>
    public int Count => _documents.Count;

    /// <inheritdoc/>
    public ValueTask<bool> TryAddAsync(OperationEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return ValueTask.FromResult(_documents.TryAdd(entry.Id, entry));
    }

    /// <inheritdoc/>
    public ValueTask<OperationSnapshot?> GetAsync(string id, CancellationToken cancellationToken = default)
        => ValueTask.FromResult(Find(id)?.Snapshot());

    /// <inheritdoc/>
    public async ValueTask<OperationSnapshot?> WaitForChangeAsync(string id, long afterVersion, CancellationToken cancellationToken = default)
    {
        OperationEntry? entry = Find(id);
        if (entry is null)
        {
            return null;
        }

        OperationSnapshot snapshot = await entry.WaitForChangeAsync(afterVersion, cancellationToken).ConfigureAwait(false);
        return Find(id) is null ? null : snapshot;
    }

    /// <inheritdoc/>
    public ValueTask ReleaseAsync(OperationEntry entry, DateTimeOffset expiresAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _documents.Release(entry.Id, entry, expiresAt);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        return ValueTask.FromResult(_documents.Remove(id));
    }

    /// <summary>Drops every expired document now.</summary>
    public void RemoveExpired() => _documents.RemoveExpired();

    private OperationEntry? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return _documents.Find(id);
    }
}
