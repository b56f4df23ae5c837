namespace Moonbridge.Net.Progress;

/// <summary>
/// The state of one tracked request at one moment, copied by value so that readers never see a
/// half-updated record and can hold it as long as they like.
/// </summary>
/// <param name="State">Where the request stands; <see cref="ProgressState.Unknown"/> when no request is known.</param>
/// <param name="Received">Request body bytes received so far (after transfer decoding).</param>
/// <param name="RequestSize">The announced request body size (<c>Content-Length</c>); null when unknown, e.g. chunked.</param>
/// <param name="Sent">Response bytes sent so far.</param>
/// <param name="ResponseSize">The response size, when known; null when unknown. It may grow while a response streams.</param>
/// <param name="Status">The final HTTP status; 0 while running, and 0 after an abort that had no final status.</param>
/// <param name="Version">
/// Increases on every change of the record (1 for a new one, 0 for <see cref="ProgressState.Unknown"/>), so a
/// reader can tell a new state from one it has seen. Versions are per record: a new request under a
/// reused id starts at 1 again.
/// </param>
public readonly record struct ProgressSnapshot(
    ProgressState State,
    long Received,
    long? RequestSize,
    long Sent,
    long? ResponseSize,
    int Status,
    long Version)
{
    /// <summary>The snapshot of an id with no known request: state <see cref="ProgressState.Unknown"/>, all zero.</summary>
    public static ProgressSnapshot Unknown => default;

    /// <summary>Whether the request has ended (<see cref="ProgressState.Done"/> or <see cref="ProgressState.Error"/>).</summary>
    public bool IsFinished => State is ProgressState.Done or ProgressState.Error;
}
