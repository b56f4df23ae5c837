namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>How a scenario is driven and what its headline figure is.</summary>
internal enum ScenarioKind
{
    /// <summary>wrk (or the built-in client) for a fixed time; requests per second.</summary>
    Requests,

    /// <summary>A fixed number of large POSTs; MB/s.</summary>
    Upload,

    /// <summary>Many idle keep-alive connections held open; server RSS per connection.</summary>
    IdleConnections,

    /// <summary>
    /// Resumable uploads (IETF draft, 64 MiB appends) against plain streamed uploads of the same size, interleaved on
    /// one server; MB/s of each and their ratio (<see cref="ResumableUploadBench"/>). Moonbridge only.
    /// </summary>
    ResumableUpload,
}

/// <summary>
/// One load scenario. <see cref="Depth"/> is the number of requests per write (pipelining), <see cref="Script"/>
/// the wrk script, <see cref="CloseEach"/> asks for a new connection per request (<c>Connection: close</c>),
/// <see cref="Tracked"/> sends uploads under a unique <c>X-Progress-Id</c>.
/// </summary>
internal sealed record Scenario(string Name, ScenarioKind Kind, string Path, int Depth = 1, string? Script = null, bool CloseEach = false, bool Tracked = false)
{
    public const int PipelineDepth = 16;

    /// <summary>Body size of the wrk upload scenario.</summary>
    public const int SmallUploadBytes = 64 * 1024;

    /// <summary>Body size of the large-upload scenarios.</summary>
    public const long LargeUploadBytes = 64L * 1024 * 1024;

    /// <summary>Every scenario, in the order they run and are printed.</summary>
    public static readonly Scenario[] All =
    [
        new("plaintext", ScenarioKind.Requests, "/plaintext"),
        new("plaintext-pipelined-16", ScenarioKind.Requests, "/plaintext", Depth: PipelineDepth, Script: "pipeline.lua"),
        new("plaintext-close", ScenarioKind.Requests, "/plaintext", CloseEach: true),
        new("bytes-64KiB", ScenarioKind.Requests, "/bytes/65536"),
        new("upload-64KiB-tracked", ScenarioKind.Requests, "/upload", Script: "upload.lua", Tracked: true),
        new("upload-64MiB", ScenarioKind.Upload, "/upload"),
        new("upload-64MiB-tracked", ScenarioKind.Upload, "/upload", Tracked: true),
        new("resumable-upload", ScenarioKind.ResumableUpload, "/files"),
        new("idle-keepalive", ScenarioKind.IdleConnections, "/plaintext"),
    ];

    /// <summary>A human description for the table, with the run's counts filled in.</summary>
    public string Describe(LoadOptions options) => Name switch
    {
        "plaintext" => $"keep-alive, {options.Connections} conn, GET /plaintext",
        "plaintext-pipelined-16" => $"pipelined ×{PipelineDepth}, {options.Connections} conn, GET /plaintext",
        "plaintext-close" => $"connection per request ({options.Connections} at once), GET /plaintext",
        "bytes-64KiB" => $"keep-alive, {options.Connections} conn, GET 64 KiB",
        "upload-64KiB-tracked" => $"keep-alive, {options.Connections} conn, POST 64 KiB (Moonbridge tracked)",
        "upload-64MiB" => $"upload {options.Uploads} × 64 MiB over {options.UploadConnections} conn, tracking off",
        "upload-64MiB-tracked" => $"upload {options.Uploads} × 64 MiB over {options.UploadConnections} conn, tracking on (Moonbridge only)",
        "resumable-upload" => $"{options.ResumableUploads} × {options.ResumableBytes / (1024 * 1024)} MiB resumable ({ResumableUploadBench.AppendBytes / (1024 * 1024)} MiB appends) vs plain streamed, interleaved (Moonbridge only)",
        "idle-keepalive" => $"idle keep-alive connections (target {options.IdleConnections:N0})",
        _ => Name,
    };
}
