using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// <c>load [--quick] [--duration S] [--connections C] [--only a,b] [--servers moonbridge,kestrel,kestrel-inline,c-epoll] [--idle N]</c>:
/// starts each benchmark server in turn (Moonbridge, Kestrel default, Kestrel inline, the C epoll peer compiled
/// with cc for the run) as a child process pinned to CPU 1, drives it from CPU 0 (wrk, or without wrk a bounded
/// built-in client; large uploads and idle connections always come from this process) and prints one Markdown
/// table comparing Moonbridge with the best Kestrel variant and with the C peer measured in the same run.
/// The resumable-upload scenario runs on Moonbridge alone and has its own table (<see cref="ResumableUploadBench"/>).
/// Every wait is bounded; a failed run becomes a "-" and a note.
/// </summary>
internal static class LoadMode
{
    public static int Run(string[] args)
    {
        LoadOptions? options = LoadOptions.Parse(args, out string? error);
        if (options is null)
        {
            Console.Error.WriteLine($"load: {error}");
            Console.Error.WriteLine(LoadOptions.Usage);
            return 2;
        }

        return RunAsync(options).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(LoadOptions options)
    {
        bool haveWrk = await ChildProcess.CommandExistsAsync("wrk");
        bool haveTaskset = await ChildProcess.CommandExistsAsync("taskset");
        MachineInfo machine = await MachineInfo.CaptureAsync(haveWrk);
        await ProcessStats.InitializeAsync();
        if (!haveWrk)
        {
            Console.WriteLine("load: wrk not found (install it with `apt-get install wrk`); using the built-in loopback client");
        }

        if (haveTaskset)
        {
            // The built-in clients (uploads, idle connections, the wrk fallback) run in this process: pin all
            // its threads to CPU 0, the load generator's core; servers re-pin themselves to CPU 1.
            await ChildProcess.RunAsync("taskset", ["-a", "-p", "-c", "0", Environment.ProcessId.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        }
        else
        {
            Console.WriteLine("load: taskset not found; server and load generator are not pinned");
        }

        string scripts = Directory.CreateTempSubdirectory("moonbridge-load-").FullName;
        await WrkRunner.WriteScriptsAsync(scripts);
        Console.WriteLine($"load: {(haveWrk ? "wrk" : "built-in client")}, {options.Connections} connections, {options.Duration} s per run, {options.Warmup} s warm-up per server; "
            + $"scenarios {string.Join(",", options.Scenarios.Select(s => s.Name))}; servers {string.Join(",", options.Servers.Select(s => s.Key))}");
        var rounds = new Dictionary<(string Server, string Scenario), List<Measurement>>();
        var driver = new Driver(options, haveWrk, haveTaskset, scripts);
        ResumableUploadBench.Result? resumable = null;
        string uploads = options.UploadDirectory is { } parent
            ? Directory.CreateDirectory(Path.Combine(parent, "moonbridge-load-uploads-" + Path.GetRandomFileName())).FullName
            : Directory.CreateTempSubdirectory("moonbridge-load-uploads-").FullName;
        try
        {
            (string? peer, string? peerProblem) = options.Servers.Any(s => s.IsCEpoll) ? await CEpollPeer.BuildAsync(scripts) : (null, null);
            for (int round = 1; round <= options.Rounds; round++)
            {
                if (options.Rounds > 1)
                {
                    Console.WriteLine($"load: round {round} of {options.Rounds}");
                }

                var results = new Dictionary<(string Server, string Scenario), Measurement>();
                foreach (ServerSpec spec in Rotated(options.Servers, round - 1))
                {
                    if (!spec.IsMoonbridge && options.Scenarios.All(s => s.Kind == ScenarioKind.ResumableUpload))
                    {
                        continue; // nothing for it to run
                    }

                    if (spec.IsCEpoll && peer is null)
                    {
                        foreach (Scenario scenario in options.Scenarios)
                        {
                            results[(spec.Name, scenario.Name)] = Measurement.Failed(peerProblem ?? "C epoll peer skipped");
                        }

                        continue;
                    }

                    int port = FreePort();
                    using RedisPeer? redis = spec.UsesRedis ? await RedisPeer.StartAsync(FreePort()) : null;
                    if (spec.UsesRedis && redis is null)
                    {
                        foreach (Scenario scenario in options.Scenarios)
                        {
                            results[(spec.Name, scenario.Name)] = Measurement.Failed("redis-server is not installed or did not start");
                        }

                        continue;
                    }

                    string[] args = spec.IsMoonbridge ? [.. spec.Args, "--upload-dir", uploads, .. redis is null ? (string[])[] : ["--redis", redis.Address],
                        .. options.IdleRestDelay is { } rest ? ["--idle-rest-delay", rest.ToString(CultureInfo.InvariantCulture)] : (string[])[]] : spec.Args;
                    using ServerProcess? server = await ServerProcess.StartAsync(spec.Name, spec.IsCEpoll ? peer : null, args, port, haveTaskset);
                    if (server is null)
                    {
                        foreach (Scenario scenario in options.Scenarios)
                        {
                            results[(spec.Name, scenario.Name)] = Measurement.Failed("server did not start");
                        }

                        continue;
                    }

                    if (options.Scenarios.Any(s => s.Kind is ScenarioKind.Requests or ScenarioKind.Upload))
                    {
                        await driver.WarmUpRequestsAsync(port);
                    }

                    foreach (Scenario scenario in options.Scenarios)
                    {
                        if (scenario.Kind == ScenarioKind.ResumableUpload)
                        {
                            // Moonbridge only (no other server has /files); its own warm-up and table.
                            if (spec.IsMoonbridge && round == 1)
                            {
                                resumable = await ResumableUploadBench.RunAsync(server, port, options, uploads);
                                Console.WriteLine($"  {spec.Name,-15} {scenario.Name,-24} {resumable.Summary()}");
                            }

                            continue;
                        }

                        Measurement result = await driver.MeasureAsync(server, port, scenario);
                        results[(spec.Name, scenario.Name)] = result;
                        Console.WriteLine($"  {spec.Name,-15} {scenario.Name,-24} {Summary(scenario, result)}");
                    }

                    await server.StopAsync();
                }

                foreach (((string Server, string Scenario) key, Measurement measurement) in results)
                {
                    (rounds.TryGetValue(key, out List<Measurement>? list) ? list : rounds[key] = []).Add(measurement);
                }
            }
        }
        finally
        {
            Directory.Delete(scripts, recursive: true);
            Directory.Delete(uploads, recursive: true);
        }

        LoadOptions others = options.Without(ScenarioKind.ResumableUpload);
        if (others.Scenarios.Count > 0)
        {
            ResultTable.Print(others, machine, rounds.ToDictionary(r => r.Key, r => MeasurementMedian.Of(r.Value)));
        }

        if (options.Scenarios.Any(s => s.Kind == ScenarioKind.ResumableUpload))
        {
            ResumableUploadReport.Print(options, machine, resumable);
        }

        return 0;
    }

    private static string Summary(Scenario scenario, Measurement r)
    {
        string figures = scenario.Kind switch
        {
            _ when r.Rate is null && r.BytesPerConnection is null => "-",
            ScenarioKind.Requests => $"{r.Rate,12:N0} req/s  p50 {r.P50,-9} p99 {r.P99,-9} cpu {r.CpuMicrosPerRequest,8:N1} us/req ({r.CoreUtilisation,4:P0} of a core)",
            ScenarioKind.Upload => $"{r.Rate,12:N1} MB/s   p50 {r.P50,-9} p99 {r.P99,-9} cpu {r.CpuMicrosPerRequest,8:N0} us/upload",
            _ => $"{r.BytesPerConnection,12:N0} bytes/conn ({r.HeldConnections:N0} held)",
        };
        return figures + (r.Errors > 0 ? $" errors {r.Errors}" : "") + (r.Note is null ? "" : $"  [{r.Note}]");
    }

    /// <summary>The servers in the order of a round: each round starts one server later, so none always runs first.</summary>
    private static IEnumerable<ServerSpec> Rotated(IReadOnlyList<ServerSpec> servers, int by)
        => servers.Skip(by % servers.Count).Concat(servers.Take(by % servers.Count));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs one scenario against a running server and charges it the server's CPU time.</summary>
    private sealed class Driver(LoadOptions options, bool haveWrk, bool haveTaskset, string scripts)
    {
        private const int MaxUploadWarmupBatches = 12;

        public async Task<Measurement> MeasureAsync(ServerProcess server, int port, Scenario scenario)
        {
            if (server.HasExited)
            {
                return Measurement.Failed(server.ExitDescription);
            }

            if (scenario.Kind == ScenarioKind.Upload)
            {
                await WarmUpUploadsAsync(port, scenario);
            }

            (TimeSpan User, TimeSpan System)? cpuBefore = ProcessStats.CpuTimes(server.Pid);
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            Measurement result = scenario.Kind switch
            {
                ScenarioKind.Requests => await RequestsAsync(port, scenario, options.Duration),
                ScenarioKind.Upload => await UploadClient.RunAsync(port, options.Uploads, options.UploadConnections, Scenario.LargeUploadBytes, scenario.Tracked,
                    TimeSpan.FromSeconds(options.Quick ? 30 : 120)),
                _ => await IdleConnectionProbe.RunAsync(port, server.Pid, options.IdleConnections, options.Settle, TimeSpan.FromSeconds(options.Quick ? 30 : 90)),
            };
            (TimeSpan User, TimeSpan System)? cpuAfter = ProcessStats.CpuTimes(server.Pid);
            TimeSpan elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            if (server.HasExited)
            {
                return result with { Rate = null, P50 = "-", P99 = "-", BytesPerConnection = null, Note = string.Join("; ", new[] { server.ExitDescription + " during the run", result.Note }.OfType<string>()) };
            }

            if (scenario.Kind != ScenarioKind.IdleConnections && cpuBefore is { } before && cpuAfter is { } after && result.Requests > 0)
            {
                // The core's utilisation tells whether the server was the bottleneck: an unsaturated server wakes
                // up for fewer requests at a time, which inflates its CPU per request.
                TimeSpan user = after.User - before.User;
                TimeSpan system = after.System - before.System;
                result = result with
                {
                    CpuMicrosPerRequest = (user + system).TotalMicroseconds / result.Requests,
                    UserMicrosPerRequest = user.TotalMicroseconds / result.Requests,
                    SystemMicrosPerRequest = system.TotalMicroseconds / result.Requests,
                    CoreUtilisation = (user + system) / elapsed,
                };
            }

            return result;
        }

        /// <summary>
        /// Runs the request scenarios of the run, unmeasured, in rounds that share the warm-up time, until two rounds in
        /// a row compile (almost) nothing (a Moonbridge server's <c>/stats</c>; other servers get two rounds), at most
        /// four times the warm-up time. Code that runs once per connection (a keep-alive run opens its connections once)
        /// reaches its last tier only after several runs: each of those compilations took the server's only core from
        /// the measured requests, and showed up as p99 latency.
        /// </summary>
        public async Task WarmUpRequestsAsync(int port)
        {
            Scenario[] scenarios = options.Scenarios.Where(s => s.Kind == ScenarioKind.Requests).DefaultIfEmpty(Scenario.All[0]).ToArray();
            int seconds = Math.Max(1, options.Warmup / scenarios.Length);
            var quiet = new CompilerQuiet(port, roundsWithoutStats: 2);
            await quiet.StartAsync();
            var warming = System.Diagnostics.Stopwatch.StartNew();
            do
            {
                foreach (Scenario scenario in scenarios)
                {
                    await RequestsAsync(port, scenario, seconds);
                }
            }
            while (!options.Quick && !await quiet.RoundEndedAsync() && warming.Elapsed < TimeSpan.FromSeconds(4 * options.Warmup));
        }

        /// <summary>
        /// The request warm-up never runs an upload's code, and some of it runs once or twice per upload (the
        /// handler's set-up, a Redis store's claim and final write): tiered compilation needs 30 calls per tier and a
        /// quiet spell, so without this the measured batch paid for hundreds of recompiled methods (a third of the Redis
        /// store's CPU per upload). Batches of the same uploads, unmeasured, until two in a row compile (almost)
        /// nothing, as a Moonbridge server's <c>/stats</c> tells; a server without that route gets three.
        /// </summary>
        private async Task WarmUpUploadsAsync(int port, Scenario scenario)
        {
            var quiet = new CompilerQuiet(port, roundsWithoutStats: 3);
            await quiet.StartAsync();
            for (int batch = 1; batch <= (options.Quick ? 1 : MaxUploadWarmupBatches); batch++)
            {
                await UploadClient.RunAsync(port, options.Uploads, options.UploadConnections, Scenario.LargeUploadBytes, scenario.Tracked,
                    TimeSpan.FromSeconds(options.Quick ? 30 : 120));
                if (options.Quick || await quiet.RoundEndedAsync())
                {
                    return;
                }
            }
        }

        public Task<Measurement> RequestsAsync(int port, Scenario scenario, int seconds) => haveWrk
            ? WrkRunner.RunAsync(haveTaskset, scripts, port, scenario, seconds, options.Connections)
            : LoopbackClient.RunAsync(port, scenario, options.Connections, TimeSpan.FromSeconds(seconds), Scenario.SmallUploadBytes);
    }
}
