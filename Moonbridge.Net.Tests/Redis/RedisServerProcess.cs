using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// A <c>redis-server</c> of the test's own on 127.0.0.1 and a free port, with persistence off; stopped (and
/// restartable on the same port) by its process id. Tests using it are ignored where redis-server is not installed.
/// </summary>
internal sealed class RedisServerProcess : IDisposable
{
    private static readonly string[] s_executables = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    private Process? _process;

    private RedisServerProcess(string executable, int port)
    {
        Executable = executable;
        Port = port;
    }

    public string Executable { get; }

    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string of this server.</summary>
    public string Configuration => $"127.0.0.1:{Port}";

    public static async Task<RedisServerProcess> StartAsync(CancellationToken cancellationToken)
    {
        string executable = s_executables.FirstOrDefault(File.Exists)
            ?? IgnoreAll("redis-server is not installed (Debian package 'redis-server'; .ci/run installs it).");
        var server = new RedisServerProcess(executable, ChildProcesses.FreeLoopbackPort());
        await server.RestartAsync(cancellationToken);
        return server;
    }

    /// <summary>Starts the server (again) on its port and waits until it accepts connections.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes" })
        {
            start.ArgumentList.Add(argument);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Text.StringBuilder();
        Process process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        process.OutputDataReceived += (_, line) =>
        {
            lock (output)
            {
                output.AppendLine(line.Data);
            }

            if (line.Data?.Contains("Ready to accept connections", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        }
        catch (TimeoutException)
        {
            Stop();
            lock (output)
            {
                throw new InvalidOperationException($"redis-server did not get ready on port {Port}: {output}");
            }
        }
    }

    /// <summary>Kills the server (SIGKILL, by its process id) and waits for it to end.</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _process, null) is { } process)
        {
            ChildProcesses.Kill(process);
        }
    }

    public void Dispose() => Stop();

    /// <summary>Completes when <paramref name="connection"/> has its interactive connection back after an outage; call it before the restart.</summary>
    public static Task WhenRestoredAsync(StackExchange.Redis.IConnectionMultiplexer connection)
    {
        var restored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == StackExchange.Redis.ConnectionType.Interactive)
            {
                restored.TrySetResult();
            }
        };
        return restored.Task;
    }


    private static string IgnoreAll(string reason)
    {
        Assert.Ignore(reason);
        throw new InvalidOperationException(reason);
    }
}
