namespace Moonbridge.Net.Progress.Operations;

/// <summary>
/// What an operation body reports its progress through. Each report becomes the status document's
/// state and, for a client that sent <c>Prefer: processing</c>, a <c>102 Processing</c> interim response
/// with a <c>Progress</c> header (rate-limited by <see cref="OperationOptions.InterimInterval"/>).
/// </summary>
public sealed class OperationProgress
{
    private readonly OperationEntry _entry;

    internal OperationProgress(OperationEntry entry, string? statusUri)
    {
        _entry = entry;
        StatusUri = statusUri;
    }

    /// <summary>The operation id.</summary>
    public string Id => _entry.Id;

    /// <summary>The path of the status document (every running operation has one).</summary>
    public string? StatusUri { get; }

    /// <summary>The current state.</summary>
    public OperationSnapshot Current => _entry.Snapshot();

    /// <summary>
    /// Reports progress. Numerators never decrease: a <paramref name="completed"/> below the last one is
    /// raised to it (clamped), and a <paramref name="total"/> below the numerator is raised to it.
    /// Completes at once in the in-memory implementation; it never waits for the network.
    /// </summary>
    /// <param name="completed">Steps done (or the zero-based index of the current step), at least 0.</param>
    /// <param name="total">Steps in all, or null when unknown.</param>
    /// <param name="remark">What is being done now, or null; non-ASCII text is sent as an RFC 8187 ext-value.</param>
    /// <param name="cancellationToken">Ends the report.</param>
    /// <returns>A task that completes when the report is recorded.</returns>
    public ValueTask ReportAsync(long completed, long? total = null, string? remark = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _entry.Report(completed, total, remark);
        return ValueTask.CompletedTask;
    }
}
