namespace Moonbridge.Net.Uploads;

/// <summary>
/// The application's handler for a completed upload: it reads the whole representation from
/// <paramref name="upload"/> (streamed from the store) and returns the final response. It runs once per upload, under
/// the upload's hold, so a client asking meanwhile waits for its answer; what it returns is stored and replayed to a
/// client that lost it. If the process dies after the upload completed and before the result was stored, it runs
/// again when a client next asks for the result: keep it idempotent.
/// </summary>
/// <param name="upload">The completed upload.</param>
/// <param name="cancellationToken">Cancelled when the server stops.</param>
/// <returns>The final response; an exception is stored as a 500 (or its <see cref="Http.HttpStatusException"/> status).</returns>
public delegate ValueTask<UploadResult> UploadCompletedHandler(CompletedUpload upload, CancellationToken cancellationToken);
