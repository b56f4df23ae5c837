namespace Moonbridge.Net.Uploads;

/// <summary>
/// Where an upload stands, reported to <see cref="ResumableUploadOptions.Progress"/> as its content arrives, across all
/// the requests that carry it, so progress views show one upload rather than one request.
/// </summary>
/// <param name="UploadId">The upload's id.</param>
/// <param name="ProgressId">The id progress views know it by: the <c>X-Progress-Id</c> of the request that carries
/// content (query parameter or header), else the upload's id.</param>
/// <param name="Offset">Bytes of the representation stored so far (written, durable or about to be).</param>
/// <param name="Length">The representation's length, once known.</param>
/// <param name="IsComplete">True once the upload is complete (its last report).</param>
public readonly record struct UploadProgress(string UploadId, string ProgressId, long Offset, long? Length, bool IsComplete);
