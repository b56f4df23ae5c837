using Moonbridge.Net.Progress.Operations;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// Operations as records: a running one is kept an hour past its holder's last renewal, so that a job whose instance
/// died reads as failed (its lease gone) for that long instead of vanishing or running for ever.
/// </summary>
internal sealed class OperationKind : IRecordKind<OperationEntry, OperationSnapshot>
{
    public string Name => "operation";

    public TimeSpan RunningTimeToLive => TimeSpan.FromHours(1);

    public string Id(OperationEntry entry) => entry.Id;

    public OperationSnapshot Snapshot(OperationEntry entry) => entry.Snapshot();

    public long Version(OperationSnapshot snapshot) => snapshot.Version;

    public bool IsFinished(OperationSnapshot snapshot) => snapshot.State == OperationState.Completed;

    public string Encode(OperationSnapshot snapshot) => OperationCodec.Encode(snapshot);

    /// <summary>A <c>DELETE</c> through another instance cancels the job running here.</summary>
    public void RemovedElsewhere(OperationEntry entry) => entry.MarkRemoved();
}
