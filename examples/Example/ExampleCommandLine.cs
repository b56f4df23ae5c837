using System.CommandLine;
using ExampleSupport;

/// <summary>The example application's command line.</summary>
/// <param name="Host">The address to listen on.</param>
/// <param name="Port">The TCP port.</param>
/// <param name="UnixPath">A Unix domain socket to listen on as well, if any.</param>
/// <param name="Interval">The period of the "myint" timer, if any.</param>
/// <param name="BodyLimit">The largest request body accepted, in bytes.</param>
/// <param name="HeaderTimeout">How long a client may take to send a request head.</param>
/// <param name="MaxConnections">How many connections may be open at once.</param>
/// <param name="UploadDirectory">Where resumable uploads are kept.</param>
/// <param name="Redis">The Redis that shares progress and status documents with other instances, if any.</param>
internal sealed record ExampleCommandLine(string Host, int Port, string? UnixPath, TimeSpan? Interval, long BodyLimit, TimeSpan HeaderTimeout, int MaxConnections, string UploadDirectory, string? Redis)
{
    private const double DefaultHeaderTimeoutSeconds = 120;

    /// <summary>The settings to run with; null when there is nothing to run (help shown, or a bad command line), with the exit code.</summary>
    public static ExampleCommandLine? Parse(string[] args, out int exitCode)
    {
        Option<string> host = ExampleOptions.Host();
        Option<int> port = ExampleOptions.Port(8080);
        Option<string?> unix = ExampleOptions.Path("--unix", "Also listen on this Unix domain socket");
        Option<TimeSpan?> interval = ExampleOptions.PositiveSeconds("--interval", "Run the timer 'myint' this often (it prints a line each time)");
        Option<long> bodyLimit = ExampleOptions.Bytes("--body-limit", "The largest request body accepted, in bytes (uploads are streamed, so 16 GiB by default)", 16L * 1024 * 1024 * 1024);
        Option<TimeSpan?> headerTimeout = ExampleOptions.PositiveSeconds("--header-timeout", "How long a client may take to send a request head", DefaultHeaderTimeoutSeconds);
        Option<int> maxConnections = ExampleOptions.Count("--max-connections", "How many connections may be open at once (handlers running at once stay bounded by the pool's MaxFork, 256)", 4096);
        Option<string?> uploadDirectory = ExampleOptions.Path("--upload-dir", "Where resumable uploads (/files) are kept; they survive restarts (default: moonbridge-uploads in the temp directory)");
        var redis = new Option<string?>("--redis")
        {
            Description = "Share upload progress, job status documents and resumable uploads (their records and who may write them; the bytes stay in the shared --upload-dir) with the other instances using this Redis (HOST:PORT); in memory and in --upload-dir when absent",
            HelpName = "HOST:PORT",
        };
        var command = new RootCommand("The original example_application.lua in C#: pages, uploads, an echo, progress and long-running jobs.")
        {
            host,
            port,
            unix,
            interval,
            bodyLimit,
            headerTimeout,
            maxConnections,
            uploadDirectory,
            redis,
        };
        return CommandLineParsing.Parse(command, args, out exitCode) is { } result
            ? new ExampleCommandLine(
                result.GetRequiredValue(host),
                result.GetValue(port),
                result.GetValue(unix),
                result.GetValue(interval),
                result.GetValue(bodyLimit),
                result.GetValue(headerTimeout) ?? TimeSpan.FromSeconds(DefaultHeaderTimeoutSeconds),
                result.GetValue(maxConnections),
                result.GetValue(uploadDirectory) ?? Path.Combine(Path.GetTempPath(), "moonbridge-uploads"),
                result.GetValue(redis))
            : null;
    }
}
