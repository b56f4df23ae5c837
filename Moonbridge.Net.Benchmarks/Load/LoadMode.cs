using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// <c>load [--quick] [--duration S] [--connections C]</c>: starts each benchmark server in turn (Moonbridge,
/// Kestrel default, Kestrel inline) as a child process pinned to CPU 1, drives it from CPU 0 with wrk (or,
/// without wrk, a bounded built-in keep-alive client) and prints one table comparing Moonbridge with the
/// best Kestrel variant measured in the same run.
/// </summary>
internal static partial class LoadMode
{
    private const int UploadBytes = 64 * 1024;
    private const int PipelineDepth = 16;

    private static readonly (string Name, string[] Args)[] Servers =
    [
        ("Moonbridge", ["server"]),
        ("Kestrel", ["kestrel"]),
        ("Kestrel-inline", ["kestrel", "--inline"]),
    ];

    private static readonly Scenario[] Scenarios =
    [
        new("plaintext", "/plaintext", 1, null),
        new("plaintext-pipelined-16", "/plaintext", PipelineDepth, "pipeline.lua"),
        new("bytes-64KiB", "/bytes/65536", 1, null),
        new("upload-64KiB-tracked", "/upload", 1, "upload.lua"),
    ];

    public static int Run(string[] args)
    {
        bool quick = args.Contains("--quick");
        int duration = quick ? 3 : 10;
        int connections = 64;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--duration" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d > 0:
                    duration = d;
                    i++;
                    break;
                case "--connections" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int c) && c > 0:
                    connections = c;
                    i++;
                    break;
                default:
                    Console.Error.WriteLine("usage: load [--quick] [--duration S] [--connections C]");
                    return 2;
            }
        }

        return RunAsync(quick, duration, connections).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(bool quick, int duration, int connections)
    {
        bool haveWrk = await CommandExistsAsync("wrk");
        bool haveTaskset = await CommandExistsAsync("taskset");
        if (!haveWrk)
        {
            Console.WriteLine("load: wrk not found (install it with `apt-get install wrk`); using the built-in loopback client");
            if (haveTaskset)
            {
                // The built-in client runs in this process: pin it (all its threads) to CPU 0.
                await RunToEndAsync("taskset", ["-a", "-p", "-c", "0", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
            }
        }

        if (!haveTaskset)
        {
            Console.WriteLine("load: taskset not found; server and load generator are not pinned");
        }

        string scripts = Directory.CreateTempSubdirectory("moonbridge-load-").FullName;
        await File.WriteAllTextAsync(Path.Combine(scripts, "pipeline.lua"), PipelineLua);
        await File.WriteAllTextAsync(Path.Combine(scripts, "upload.lua"), UploadLua);

        int warmup = quick ? 1 : 3;
        Console.WriteLine($"load: {(haveWrk ? "wrk" : "built-in client")}, {connections} connections, {duration} s per run, {warmup} s warm-up per server");
        var results = new Dictionary<(string Server, string Scenario), RunResult>();
        try
        {
            foreach ((string name, string[] serverArgs) in Servers)
            {
                int port = FreePort();
                using ServerProcess? server = await ServerProcess.StartAsync(name, serverArgs, port, haveTaskset);
                if (server is null)
                {
                    continue;
                }

                await MeasureAsync(haveWrk, haveTaskset, scripts, port, Scenarios[0], warmup, connections);
                foreach (Scenario scenario in Scenarios)
                {
                    RunResult result = await MeasureAsync(haveWrk, haveTaskset, scripts, port, scenario, duration, connections);
                    results[(name, scenario.Name)] = result;
                    Console.WriteLine($"  {name,-15} {scenario.Name,-24} {result.Rps,12:N0} req/s  p50 {result.P50,-9} p99 {result.P99,-9}{(result.Errors > 0 ? $" errors {result.Errors}" : "")}");
                }

                await server.StopAsync();
            }
        }
        finally
        {
            Directory.Delete(scripts, recursive: true);
        }

        PrintTable(results);
        return 0;
    }

    private static void PrintTable(Dictionary<(string Server, string Scenario), RunResult> results)
    {
        Console.WriteLine();
        string header = $"| {"scenario",-24} | {"Moonbridge rps",14} | {"p50 / p99",-19} | {"best Kestrel rps",16} | {"variant",-14} | {"p50 / p99",-19} | {"ratio",6} |";
        Console.WriteLine(header);
        Console.WriteLine("|" + string.Join("|", header.Split('|')[1..^1].Select(cell => new string('-', cell.Length))) + "|");
        foreach (Scenario scenario in Scenarios)
        {
            results.TryGetValue(("Moonbridge", scenario.Name), out RunResult? moon);
            RunResult? best = null;
            string bestName = "-";
            foreach ((string name, _) in Servers.Skip(1))
            {
                if (results.TryGetValue((name, scenario.Name), out RunResult? r) && (best is null || r.Rps > best.Rps))
                {
                    best = r;
                    bestName = name;
                }
            }

            string ratio = moon is not null && best is not null && best.Rps > 0 ? (moon.Rps / best.Rps).ToString("0.00", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"| {scenario.Name,-24} | {Rps(moon),14} | {Lat(moon),-19} | {Rps(best),16} | {bestName,-14} | {Lat(best),-19} | {ratio,6} |");
        }

        Console.WriteLine("ratio = Moonbridge rps / best Kestrel rps (same run); pipelined latencies are per batch of 16; Kestrel's /upload is not tracked.");
        foreach (((string server, string scenario), RunResult r) in results)
        {
            if (r.Errors > 0)
            {
                Console.WriteLine($"note: {server} {scenario}: {r.Errors} errors (non-2xx, socket errors or timeouts)");
            }
        }

        static string Rps(RunResult? r) => r is null ? "-" : r.Rps.ToString("N0", CultureInfo.InvariantCulture);
        static string Lat(RunResult? r) => r is null ? "-" : $"{r.P50} / {r.P99}";
    }

    private static async Task<RunResult> MeasureAsync(bool haveWrk, bool haveTaskset, string scripts, int port, Scenario scenario, int seconds, int connections)
    {
        if (!haveWrk)
        {
            return await LoopbackClient.RunAsync(port, scenario, connections, TimeSpan.FromSeconds(seconds), UploadBytes);
        }

        var args = new List<string>();
        if (haveTaskset)
        {
            args.AddRange(["-c", "0", "wrk"]);
        }

        args.AddRange(["-t1", $"-c{connections}", $"-d{seconds}s", "--latency"]);
        if (scenario.Script is not null)
        {
            args.AddRange(["-s", Path.Combine(scripts, scenario.Script)]);
        }

        args.Add($"http://127.0.0.1:{port}{scenario.Path}");
        string output = await RunToEndAsync(haveTaskset ? "taskset" : "wrk", args, TimeSpan.FromSeconds(seconds + 30));
        return ParseWrk(output);
    }

    private static RunResult ParseWrk(string output)
    {
        double rps = RequestsPerSecond().Match(output) is { Success: true } m ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        string p50 = Percentile50().Match(output) is { Success: true } a ? a.Groups[1].Value : "-";
        string p99 = Percentile99().Match(output) is { Success: true } b ? b.Groups[1].Value : "-";
        long errors = 0;
        if (Non2xx().Match(output) is { Success: true } n)
        {
            errors += long.Parse(n.Groups[1].Value, CultureInfo.InvariantCulture);
        }

        if (SocketErrors().Match(output) is { Success: true } s)
        {
            for (int g = 1; g <= 4; g++)
            {
                errors += long.Parse(s.Groups[g].Value, CultureInfo.InvariantCulture);
            }
        }

        if (rps == 0)
        {
            Console.WriteLine("load: could not parse wrk output:\n" + output);
        }

        return new RunResult(rps, p50, p99, errors);
    }

    private static async Task<bool> CommandExistsAsync(string command)
    {
        string output = await RunToEndAsync("sh", ["-c", $"command -v {command}"], TimeSpan.FromSeconds(5));
        return output.Trim().Length > 0;
    }

    private static async Task<string> RunToEndAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Console.WriteLine($"load: {file} timed out after {timeout.TotalSeconds} s");
        }

        return await stdout + await stderr;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+50%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Percentile50();

    [GeneratedRegex(@"^\s+99%\s+(\S+)", RegexOptions.Multiline)]
    private static partial Regex Percentile99();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    // wrk's pipeline.lua pattern: one write carries 16 requests.
    private const string PipelineLua = """
        init = function(args)
           local r = {}
           for i = 1, 16 do
              r[i] = wrk.format(nil, nil)
           end
           req = table.concat(r)
        end

        request = function()
           return req
        end
        """;

    // A 64 KiB POST to /upload, each with its own X-Progress-Id so every upload is tracked.
    private const string UploadLua = """
        counter = 0
        wrk.method = "POST"
        wrk.body = string.rep("x", 65536)
        wrk.headers["Content-Type"] = "application/octet-stream"

        request = function()
           counter = counter + 1
           return wrk.format(nil, "/upload?X-Progress-Id=bench" .. counter)
        end
        """;
}

/// <summary>One load scenario: a path, how many requests per write, and the wrk script for it.</summary>
internal sealed record Scenario(string Name, string Path, int Depth, string? Script);

/// <summary>One measured run: requests per second, latency percentiles as printed, and error count.</summary>
internal sealed record RunResult(double Rps, string P50, string P99, long Errors);

/// <summary>A benchmark server child process (this assembly in server or kestrel mode).</summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process) => _process = process;

    public static async Task<ServerProcess?> StartAsync(string name, string[] modeArgs, int port, bool pin)
    {
        string dll = typeof(ServerProcess).Assembly.Location;
        var args = new List<string>();
        if (pin)
        {
            args.AddRange(["-c", "1", "dotnet"]);
        }

        args.Add(dll);
        args.AddRange(modeArgs);
        args.AddRange(["--port", port.ToString(CultureInfo.InvariantCulture)]);
        var info = new ProcessStartInfo(pin ? "taskset" : "dotnet", args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
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

        using (var kill = Process.Start(new ProcessStartInfo("sh", ["-c", "kill -TERM " + _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine($"load: pid {_process.Id} ignored SIGTERM for 5 s; killing it");
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
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
