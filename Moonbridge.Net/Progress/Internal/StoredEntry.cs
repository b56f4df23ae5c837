namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// A slot of <see cref="InMemoryProgressStore"/>: the entry, and once released, its expiry time and its
/// place in the expiry-ordered list (so removal from that list is O(1)).
/// </summary>
internal sealed class StoredEntry(ProgressEntry entry)
{
    public ProgressEntry Entry { get; } = entry;

    /// <summary>Set once the request was released; null while it still runs.</summary>
    public LinkedListNode<StoredEntry>? ReleasedNode { get; set; }

    public DateTimeOffset ExpiresAt { get; set; } = DateTimeOffset.MaxValue;

    public bool IsReleased => ReleasedNode is not null;

    public bool HasExpired(DateTimeOffset now) => IsReleased && ExpiresAt <= now;
}
