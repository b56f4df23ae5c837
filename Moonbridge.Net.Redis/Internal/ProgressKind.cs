using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>Progress entries as records: a running one lives as long as its holder renews its lease.</summary>
internal sealed class ProgressKind(RedisStoreOptions options) : IRecordKind<ProgressEntry, ProgressSnapshot>
{
    public string Name => "progress";

    public TimeSpan RunningTimeToLive => options.Lease;

    public string Id(ProgressEntry entry) => entry.Id;

    public ProgressSnapshot Snapshot(ProgressEntry entry) => entry.Snapshot();

    public long Version(ProgressSnapshot snapshot) => snapshot.Version;

    public bool IsFinished(ProgressSnapshot snapshot) => snapshot.IsFinished;

    public string Encode(ProgressSnapshot snapshot) => ProgressCodec.Encode(snapshot);

    /// <summary>Progress records are never removed by clients: nothing to tell the request.</summary>
    public void RemovedElsewhere(ProgressEntry entry)
    {
    }
}
