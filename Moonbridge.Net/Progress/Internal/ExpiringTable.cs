namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// A bounded table of entries by id, in which an entry lives until it is released and then until the
/// expiry time its release gave. The progress store and the operation store differ only in what they
/// keep and how they answer, so both keep their entries here.
/// </summary>
/// <remarks>
/// <para>
/// An id belongs to its entry until that entry expires: adding a live id is refused. When a new id finds
/// the table full, the released entry closest to its expiry makes room; when no entry is released, the
/// add is refused: a running entry is never pushed out.
/// </para>
/// <para>
/// Expiry is lazy and costs amortised O(1): every call first drops the expired entries at the head of a
/// list of the released ones ordered by expiry, so no call ever sees an expired entry and no timer runs.
/// </para>
/// <para>All members are thread-safe; each holds one short lock and none of them waits inside it.</para>
/// </remarks>
/// <typeparam name="TEntry">What the table keeps by id.</typeparam>
internal sealed class ExpiringTable<TEntry>
    where TEntry : class
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Slot> _slots = new(StringComparer.Ordinal);

    // Released slots, soonest expiry first; expiry and eviction both take from the head.
    private readonly LinkedList<Slot> _released = new();
    private readonly TimeProvider _timeProvider;

    /// <param name="capacity">The most entries, running and released, the table holds; at least 1.</param>
    /// <param name="timeProvider">The clock expiry is measured against; null for <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is less than 1.</exception>
    public ExpiringTable(int capacity, TimeProvider? timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Capacity = capacity;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    public int Capacity { get; }

    /// <summary>How many entries the table holds now, including expired ones not yet dropped.</summary>
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

    /// <summary>Adds <paramref name="entry"/> under <paramref name="id"/>, unless the id is live or the table is full of running entries.</summary>
    public bool TryAdd(string id, TEntry entry)
    {
        lock (_lock)
        {
            RemoveExpiredLocked();
            if (_slots.ContainsKey(id))
            {
                return false;
            }

            if (_slots.Count >= Capacity && !EvictOneReleasedLocked())
            {
                return false;
            }

            _slots.Add(id, new Slot(id, entry));
            return true;
        }
    }

    /// <summary>The live entry under <paramref name="id"/>, or null.</summary>
    public TEntry? Find(string id)
    {
        lock (_lock)
        {
            RemoveExpiredLocked();
            return _slots.TryGetValue(id, out Slot? slot) ? slot.Entry : null;
        }
    }

    /// <summary>
    /// Lets <paramref name="entry"/> expire at <paramref name="expiresAt"/>; a later release moves the time.
    /// Does nothing when the id now holds another entry (or none): a late release never touches a successor.
    /// </summary>
    public void Release(string id, TEntry entry, DateTimeOffset expiresAt)
    {
        lock (_lock)
        {
            if (!_slots.TryGetValue(id, out Slot? slot) || !ReferenceEquals(slot.Entry, entry))
            {
                return;
            }

            if (slot.ReleasedNode is { } previous)
            {
                _released.Remove(previous);
            }

            slot.ExpiresAt = expiresAt;
            slot.ReleasedNode = InsertByExpiry(slot);
            RemoveExpiredLocked();
        }
    }

    /// <summary>Removes the entry under <paramref name="id"/>, running or released.</summary>
    /// <returns>Whether a live entry was removed.</returns>
    public bool Remove(string id)
    {
        lock (_lock)
        {
            RemoveExpiredLocked();
            if (!_slots.TryGetValue(id, out Slot? slot))
            {
                return false;
            }

            RemoveLocked(slot);
            return true;
        }
    }

    /// <summary>Drops every released entry whose expiry time has passed.</summary>
    /// <returns>How many entries were dropped.</returns>
    public int RemoveExpired()
    {
        lock (_lock)
        {
            return RemoveExpiredLocked();
        }
    }

    private LinkedListNode<Slot> InsertByExpiry(Slot slot)
    {
        // With one TTL for all, the newest release expires last: the walk from the tail stops at once.
        LinkedListNode<Slot>? before = _released.Last;
        while (before is not null && before.Value.ExpiresAt > slot.ExpiresAt)
        {
            before = before.Previous;
        }

        return before is null ? _released.AddFirst(slot) : _released.AddAfter(before, slot);
    }

    private int RemoveExpiredLocked()
    {
        DateTimeOffset now = _timeProvider.GetUtcNow();
        int removed = 0;
        while (_released.First is { } head && head.Value.ExpiresAt <= now)
        {
            RemoveLocked(head.Value);
            removed++;
        }

        return removed;
    }

    private bool EvictOneReleasedLocked()
    {
        if (_released.First is not { } head)
        {
            return false;
        }

        RemoveLocked(head.Value);
        return true;
    }

    private void RemoveLocked(Slot slot)
    {
        _slots.Remove(slot.Id);
        if (slot.ReleasedNode is { } node)
        {
            _released.Remove(node);
            slot.ReleasedNode = null;
        }
    }

    /// <summary>An entry, and once released, its expiry time and its place in the expiry-ordered list (so removal from that list is O(1)).</summary>
    private sealed class Slot(string id, TEntry entry)
    {
        public string Id { get; } = id;

        public TEntry Entry { get; } = entry;

        /// <summary>Set once the entry was released; null while it still runs.</summary>
        public LinkedListNode<Slot>? ReleasedNode { get; set; }

        public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.MaxValue;
    }
}
