using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>
/// The example application (examples/Example, built before the tests through a project reference) run
/// as a separate process on a free loopback port; disposing it kills the process by its id.
/// </summary>
internal sealed class ExampleServerProcess : IDisposable
{
    private static readonly TimeSpan s_startLimit = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output;
    private readonly Lock _waitersLock = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waiters = [];

    private ExampleServerProcess(Process process, ConcurrentQueue<string> output, int port)
    {
        _process = process;
        _output = output;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The process id, e.g. to read its memory figures from /proc.</summary>
    public int ProcessId => _process.Id;

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>Everything the process wrote so far, for failure messages.</summary>
    public string Output => string.Join("\n", _output);

    /// <summary>The repository root: the first directory above the test assembly with Moonbridge.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Moonbridge.sln")))
                {
                    return directory.FullName;
                }
            }

            throw new InvalidOperationException($"No Moonbridge.sln above {AppContext.BaseDirectory}.");
        }
    }

    /// <summary>Example.dll of the configuration the tests were built in (…/bin/&lt;Configuration&gt;/net10.0/).</summary>
    public static string ExampleDll
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string configuration = testOutput.Parent?.Name ?? "Release";
            return Path.Combine(RepositoryRoot, "examples", "Example", "bin", configuration, testOutput.Name, "Example.dll");
        }
    }

    /// <summary>Starts the example on a free port of 127.0.0.1, with <paramref name="arguments"/> after --port and --host.</summary>
    public static Task<ExampleServerProcess> StartAsync(CancellationToken cancellationToken, params string[] arguments)
        => StartAsync(fileLimit: null, cancellationToken, arguments);

    /// <summary>Starts the example on a free port of 127.0.0.1, with <paramref name="arguments"/> after --port and --host.</summary>
    /// <param name="fileLimit">When set, the process runs with this open-file limit (<c>ulimit -n</c>, through bash).</param>
    /// <param name="cancellationToken">Stops waiting for the process to listen.</param>
    /// <param name="arguments">More command-line arguments for the example.</param>
    public static Task<ExampleServerProcess> StartAsync(int? fileLimit, CancellationToken cancellationToken, params string[] arguments)
        => StartAsync(ExampleDll, fileLimit, cancellationToken, arguments);

    /// <summary>Starts the example built as <paramref name="dll"/> (see <c>ExampleProgram.Dll</c>) on a free port of 127.0.0.1.</summary>
    public static async Task<ExampleServerProcess> StartAsync(string dll, int? fileLimit, CancellationToken cancellationToken, params string[] arguments)
    {
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException("The example application has not been built (the test project references it, so building the tests builds it).", dll);
        }

        int port = ChildProcesses.FreeLoopbackPort();
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(fileLimit is null ? dotnet : "bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        if (fileLimit is { } limit)
        {
            // exec keeps the process id, so disposing still ends the server itself.
            foreach (string argument in (string[])["-c", $"ulimit -n {limit} && exec \"$@\"", "bash", dotnet])
            {
                start.ArgumentList.Add(argument);
            }
        }

        foreach (string argument in (string[])[dll, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--host", "127.0.0.1", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        var output = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ExampleServerProcess(process, output, port);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            output.Enqueue(e.Data);
            server.Seen(e.Data);
            if (e.Data.Contains("listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.Enqueue(e.Data);
            }
        };
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The example application exited:\n" + string.Join("\n", output)));
        process.Start();
        try
        {
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            await listening.Task.WaitAsync(s_startLimit, cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Whether the process is still running.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>Completes when a line of standard output (already written, or to come) contains <paramref name="text"/>.</summary>
    public Task WaitForOutputAsync(string text, CancellationToken cancellationToken)
    {
        lock (_waitersLock)
        {
            if (_output.Any(line => line.Contains(text, StringComparison.Ordinal)))
            {
                return Task.CompletedTask;
            }

            var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((text, seen));
            return seen.Task.WaitAsync(s_startLimit, cancellationToken);
        }
    }

    private void Seen(string line)
    {
        lock (_waitersLock)
        {
            _waiters.RemoveAll(waiter => line.Contains(waiter.Text, StringComparison.Ordinal) && waiter.Seen.TrySetResult());
        }
    }

    /// <summary>Lines of output so far that contain <paramref name="text"/>.</summary>
    public int CountOutputLines(string text) => _output.Count(line => line.Contains(text, StringComparison.Ordinal));

    public void Dispose()
    {
        ChildProcesses.Kill(_process);
    }

}
