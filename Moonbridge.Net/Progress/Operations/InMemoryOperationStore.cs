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

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates an empty store.</summary>
    /// <param name="capacity">The most status documents held, at least 1.</param>
    /// <param name="timeProvider">The clock of expiry; null for <see cref="TimeProvider.System"/>.</param>
    public InMemoryOperationStore(int capacity = DefaultCapacity, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The most status documents held.</summary>
    public int Capacity { get; }

    /// <summary>The documents held now, expired ones not yet dropped included.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _slots.Count;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryAddAsync(OperationEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_lock)
        {
            DateTimeOffset now = _timeProvider.GetUtcNow();
            if (_slots.TryGetValue(entry.Id, out Slot? existing) && !existing.IsExpired(now))
            {
                return ValueTask.FromResult(false);
            }

            if (_slots.Count >= Capacity)
            {
                RemoveExpired(now);
            }

            if (_slots.Count >= Capacity)
            {
                Slot? oldest = null;
                foreach (Slot slot in _slots.Values)
                {
                    if (slot.ExpiresAt is { } at && (oldest is null || at < oldest.ExpiresAt))
                    {
                        oldest = slot;
                    }
                }

                if (oldest is null)
                {
                    return ValueTask.FromResult(false);
                }

                _slots.Remove(oldest.Entry.Id);
            }

            _slots[entry.Id] = new Slot(entry);
            return ValueTask.FromResult(true);
        }
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
        lock (_lock)
        {
            if (_slots.TryGetValue(entry.Id, out Slot? slot) && ReferenceEquals(slot.Entry, entry))
            {
                slot.ExpiresAt = expiresAt;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            bool live = _slots.TryGetValue(id, out Slot? slot) && !slot.IsExpired(_timeProvider.GetUtcNow());
            _slots.Remove(id);
            return ValueTask.FromResult(live);
        }
    }

    /// <summary>Drops every expired document now.</summary>
    public void RemoveExpired()
    {
        lock (_lock)
        {
            RemoveExpired(_timeProvider.GetUtcNow());
        }
    }

    private OperationEntry? Find(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_lock)
        {
            if (!_slots.TryGetValue(id, out Slot? slot))
            {
                return null;
            }

            if (slot.IsExpired(_timeProvider.GetUtcNow()))
            {
                _slots.Remove(id);
                return null;
            }

            return slot.Entry;
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (Slot slot in _slots.Values.Where(s => s.IsExpired(now)).ToList())
        {
            _slots.Remove(slot.Entry.Id);
        }
    }

    private sealed class Slot(OperationEntry entry)
    {
        public OperationEntry Entry { get; } = entry;

        public DateTimeOffset? ExpiresAt { get; set; }

        public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } at && now >= at;
    }
}
