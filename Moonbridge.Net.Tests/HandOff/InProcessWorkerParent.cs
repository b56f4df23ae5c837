using System.Globalization;
using System.Text.RegularExpressions;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// The parent's side of worker processes (<see cref="WorkerProcessHost"/>) run in the test process, its pool
/// handlers called directly as the pool would call them, with worker processes that run a given program:
/// the test process's own command line would start another test host.
/// </summary>
internal sealed partial class InProcessWorkerParent : IAsyncDisposable
{
    private readonly List<WorkerContext> _prepared = [];

    private InProcessWorkerParent(ListenOptions options, string executable, IReadOnlyList<string> arguments)
    {
        Options = options;
        Host = new WorkerProcessHost(options, Logs.CreateLogger("Moonbridge.Net.Server"), (executable, arguments));
    }

    public ListenOptions Options { get; }

    public WorkerProcessHost Host { get; }

    public RecordingLoggerFactory Logs { get; } = new();

    /// <summary>A parent of pool "workers" (the name examples/HandOff --workers gives its pool).</summary>
    public static InProcessWorkerParent Start(string executable, IReadOnlyList<string> arguments, Action<ListenOptions>? configure = null)
    {
        var options = new ListenOptions
        {
            Name = "workers",
            WorkerProcesses = true,
            ConnectAsync = (_, _) => ValueTask.FromResult(true),

            // A worker process that does not exit when its channel closes is killed 10 s later (this plus 10 s).
            ShutdownTimeout = TimeSpan.Zero,
        };
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        configure?.Invoke(options);
        return new InProcessWorkerParent(options, executable, arguments);
    }

    /// <summary>
    /// A parent whose worker processes are examples/HandOff --workers, each writing its output to a file of
    /// <paramref name="output"/> (a shell runs first only to redirect it, then becomes the example: the process
    /// id stays the one the parent started).
    /// </summary>
    public static InProcessWorkerParent StartWithExample(TempDirectory output, Action<ListenOptions>? configure = null)
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        string dll = Path.Combine(RepositoryPaths.Root(), "examples", "HandOff", "bin", testOutput.Parent?.Name ?? "Release", testOutput.Name, "HandOff.dll");
        Assert.That(File.Exists(dll), Is.True, $"{dll} (built with the tests)");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        return Start("/bin/sh", ["-c", "log=$1; shift; exec \"$@\" >>\"$log\" 2>&1", "sh", output.File("workers.log"), dotnet, dll, "--workers", "1"], configure);
    }

    public Task PrepareAsync(WorkerContext worker, CancellationToken cancellationToken)
    {
        _prepared.Add(worker);
        return Host.PoolOptions.PrepareAsync!(worker, cancellationToken).AsTask();
    }

    /// <summary>Runs the pool's connect handler for <paramref name="socket"/> as the worker <paramref name="worker"/>.</summary>
    public async Task<bool> ServeAsync(WorkerContext worker, MoonSocket socket, CancellationToken cancellationToken)
    {
        // Set in this method's own context: the caller's is not changed.
        using var scope = new HandlerScope(worker, socket, TimeProvider.System, static _ => { }, CancellationToken.None);
        HandlerScope.Current = scope;
        return await Host.PoolOptions.ConnectAsync!(socket, cancellationToken);
    }

    public Task FinishAsync(WorkerContext worker, CancellationToken cancellationToken)
        => Host.PoolOptions.FinishAsync!(worker, cancellationToken).AsTask();

    /// <summary>The process id the parent logged for the worker it started.</summary>
    public int StartedProcess(WorkerContext worker)
    {
        Match started = Logs.Entries
            .Where(e => e.EventId == 20)
            .Select(e => StartedMessage().Match(e.Message))
            .Single(m => m.Success && m.Groups["worker"].Value == worker.Id.ToString(CultureInfo.InvariantCulture));
        return int.Parse(started.Groups["pid"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Everything logged so far, and the worker processes' output, for failure messages.</summary>
    public string Describe(TempDirectory? output = null)
    {
        string log = output is not null && File.Exists(output.File("workers.log")) ? File.ReadAllText(output.File("workers.log")) : string.Empty;
        return string.Join("\n", Logs.Entries) + "\n--- worker output ---\n" + log;
    }

    /// <summary>Ends every worker process still running as the pool would (closing its channel; killed if it does not exit).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (WorkerContext worker in _prepared.Where(w => w.State is not null))
        {
            await FinishAsync(worker, CancellationToken.None);
        }
    }

    [GeneratedRegex(@"worker (?<worker>\d+): process (?<pid>\d+) started")]
    private static partial Regex StartedMessage();
}
