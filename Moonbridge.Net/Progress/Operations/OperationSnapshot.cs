namespace Moonbridge.Net.Progress.Operations;

/// <summary>Whether an operation is still running.</summary>
public enum OperationState
{
    /// <summary>The operation body has not returned yet.</summary>
    Running,

    /// <summary>The operation body returned (or failed); <see cref="OperationSnapshot.Result"/> holds its final response.</summary>
    Completed,
}

/// <summary>The state of an operation at one moment, by value.</summary>
/// <param name="Id">The operation id (the last segment of its status document's path).</param>
/// <param name="Target">The path of the request target that started the operation; its query is not kept (it may carry credentials).</param>
/// <param name="State">Running or completed.</param>
/// <param name="Completed">The progress numerator; it never decreases.</param>
/// <param name="Total">The progress denominator, or null when unknown; never below <paramref name="Completed"/>.</param>
/// <param name="Remark">The last remark, or null.</param>
/// <param name="Version">Increases with every change, starting at 1.</param>
/// <param name="Result">The final response once completed; otherwise null.</param>
public sealed record OperationSnapshot(
    string Id,
    string Target,
    OperationState State,
    long Completed,
    long? Total,
    string? Remark,
    long Version,
    OperationResult? Result)
{
    /// <summary>The <c>Progress</c> header value for this state.</summary>
    public string ProgressHeaderValue => ProgressHeader.Format(Completed, Total, Remark);
}
