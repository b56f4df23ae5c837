using System.Diagnostics;
using System.Globalization;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// A benchmark server child process (this assembly in server or kestrel mode, or a native executable such as the
/// C epoll peer), optionally pinned to CPU 1 with taskset (which execs the server, so <see cref="Pid"/> is the
/// server itself). Every server takes <c>--port N</c> and prints a "listening on" line once it accepts connections.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>"exited with code N" once the process has ended.</summary>
    public string ExitDescription => _process.HasExited ? $"server exited with code {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}" : "server running";

    /// <summary>Starts <paramref name="executable"/>, or this assembly in the mode <paramref name="modeArgs"/> when it is null.</summary>
    public static async Task<ServerProcess?> StartAsync(string name, string? executable, string[] modeArgs, int port, bool pin)
    {
        string program = executable ?? "dotnet";
        var args = new List<string>();
        if (pin)
        {
            args.AddRange(["-c", "1", program]);
        }

        if (executable is null)
        {
            args.Add(typeof(ServerProcess).Assembly.Location);
        }

        args.AddRange(modeArgs);
        args.AddRange(["--port", port.ToString(CultureInfo.InvariantCulture)]);
        var info = new ProcessStartInfo(pin ? "taskset" : program, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (executable is null)
        {
            // Every .NET server (Moonbridge's and Kestrel's alike) counts calls for tiered compilation from the start,
            // not after the runtime's quiet spell (100 ms, ten times that on one core), which each newly compiled
            // method starts again: code run once per upload otherwise reaches its last tier after some hundred uploads,
            // compiling on the measured core during the measured batch. The steady-state code is the same.
            info.Environment["DOTNET_TC_CallCountingDelayMs"] = "0";
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && line.Contains("listening on", StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"[{name}] {line}");
            }
        };
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{name} exited before it was ready"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ServerProcess(process);
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            Console.WriteLine($"load: {name} did not start: {e.Message}");
            server.Dispose();
            return null;
        }

        Console.WriteLine($"load: {name} (pid {process.Id}) listening on 127.0.0.1:{port}{(pin ? ", pinned to CPU 1" : "")}");
        return server;
    }

    /// <summary>SIGTERM (through the shell's <c>kill</c>), then a kill after 5 s.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        await ChildProcess.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"load: pid {_process.Id} ignored SIGTERM for 5 s; killing it");
            _process.Kill(entireProcessTree: true);
            using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await _process.WaitForExitAsync(bounded.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine($"load: pid {_process.Id} still alive 5 s after SIGKILL");
            }
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }
}
