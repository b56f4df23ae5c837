using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads;

/// <summary>Settings of <see cref="ResumableUploads"/>.</summary>
public sealed class ResumableUploadOptions
{
    /// <summary>
    /// Where uploads are kept: per upload a data file and a metadata file. Created when missing; one
    /// <see cref="ResumableUploads"/> per directory. Uploads in it survive a restart (and a <c>kill -9</c>).
    /// </summary>
    public required string Directory { get; set; }

    /// <summary>
    /// The creation endpoint, for every protocol; upload resources are <c>{Path}/{id}</c>, with
    /// <c>{Path}/{id}/result</c> (the stored final response) and <c>{Path}/{id}/content</c> (the bytes, with ranges).
    /// Starts with '/' and does not end with one; <c>/files</c> by default.
    /// </summary>
    public string Path { get; set; } = "/files";

    /// <summary>The largest representation accepted (<c>Upload-Limit: max-size</c>, <c>Tus-Max-Size</c>); null for none.</summary>
    public long? MaxSize { get; set; }

    /// <summary>
    /// The most content one creation or append request may carry (<c>Upload-Limit: max-append-size</c>); null for
    /// none. Keep it at most <see cref="HttpOptions.RequestBodySizeLimit"/>, which the server enforces before any handler.
    /// </summary>
    public long? MaxAppendSize { get; set; }

    /// <summary>The least content an append must carry unless it completes the upload (<c>min-append-size</c>); null for none.</summary>
    public long? MinAppendSize { get; set; }

    /// <summary>
    /// How many incomplete uploads one client may have at once (its owner, else its address); a creation beyond it
    /// is refused with 429. 100 by default; 0 for no cap. A soft cap: creations racing each other may pass it by a few.
    /// </summary>
    public int MaxOpenUploadsPerClient { get; set; } = 100;

    /// <summary>How long an upload lives from its creation, completed or not; then it and its result are removed. One day by default.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often a request that carries data makes it durable (<c>fsync</c>) and tells the client the durable offset
    /// (a <c>104</c> with <c>Upload-Offset</c>); also at the end of every request. One second by default.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often expired uploads are removed; ten minutes by default.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The owner binding: who the request speaks for (a user, a session cookie), or null for nobody. An upload is
    /// bound to the owner of the request that created it; a request of another owner finds nothing (<c>404</c>).
    /// Uploads created without an owner are reachable by anyone who knows their URL (128 random bits).
    /// </summary>
    public Func<HttpRequest, string?>? Owner { get; set; }

    /// <summary>
    /// Told where each upload stands as its content arrives and when it completes (e.g.
    /// <c>Progress.ProgressTracker.ObserveUploads</c>, which shows uploads in the progress views); null for nobody. Called
    /// on the request's thread: keep it short.
    /// </summary>
    public Action<UploadProgress>? Progress { get; set; }

    /// <summary>
    /// The coordination between processes that serve one <see cref="Directory"/> (shared by several instances behind
    /// a load balancer): every takeover and delete claims the upload there first. Null (the default) for one process.
    /// </summary>
    public IUploadClaims? Claims { get; set; }

    /// <summary>
    /// Where the uploads' records (offset, length, metadata, final response) are kept; null (the default) for JSON
    /// files beside the data files in <see cref="Directory"/>. Instances sharing the directory may keep them in a
    /// shared store instead (with <see cref="Claims"/> from the same place), so that no process reads another's files
    /// for them.
    /// </summary>
    public IUploadRecords? Records { get; set; }

    /// <summary>The clock for expiry and checkpoints; the system clock by default.</summary>
    public TimeProvider? TimeProvider { get; set; }

    /// <summary>Where failures of the completion handler and of storage are logged; nowhere by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
