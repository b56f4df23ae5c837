namespace Moonbridge.Net.Redis.Internal;

/// <summary>What <see cref="RecordTable{TEntry, TSnapshot}"/> needs to know of one kind of live record (progress, operation).</summary>
internal interface IRecordKind<TEntry, TSnapshot>
{
    /// <summary>The key space and channel name part: <c>progress</c>, <c>operation</c>.</summary>
    string Name { get; }

    /// <summary>How long a running record stays in Redis after its holder's last renewal.</summary>
    TimeSpan RunningTimeToLive { get; }

    string Id(TEntry entry);

    TSnapshot Snapshot(TEntry entry);

    long Version(TSnapshot snapshot);

    bool IsFinished(TSnapshot snapshot);

    string Encode(TSnapshot snapshot);

    /// <summary>Tells the entry this instance holds that a client removed its record through another instance.</summary>
    void RemovedElsewhere(TEntry entry);
}
