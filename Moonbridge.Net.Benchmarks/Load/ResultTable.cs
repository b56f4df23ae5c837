using System.Globalization;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// Prints a load run as Markdown: the comparison of Moonbridge with the best Kestrel variant of the same run
/// and with the C epoll peer when it ran (one row per scenario and metric, with the ratios and which direction
/// is better), the raw figures of every server, notes on failed or erroneous runs, and a legend with the machine.
/// </summary>
internal static class ResultTable
{
    private const string Moonbridge = "Moonbridge";

    public static void Print(LoadOptions options, MachineInfo machine, IReadOnlyDictionary<(string Server, string Scenario), Measurement> results)
    {
        IReadOnlyList<ServerSpec> servers = options.Servers;
        string[] kestrels = servers.Where(s => s.IsKestrel).Select(s => s.Name).ToArray();
        bool withPeer = servers.Any(s => s.IsCEpoll);
        Console.WriteLine();
        Console.WriteLine($"## Moonbridge vs Kestrel{(withPeer ? " and the C epoll peer" : "")} ({(options.Quick ? "quick smoke run" : "full run")})");
        Console.WriteLine();
        Console.WriteLine($"| Scenario | Metric | Moonbridge | Best Kestrel | Kestrel variant | Moonbridge / Kestrel |{(withPeer ? " C epoll | Moonbridge / C epoll |" : "")} Better |");
        Console.WriteLine($"|---|---|---:|---:|---|---:|{(withPeer ? "---:|---:|" : "")}---|");
        foreach (Scenario scenario in options.Scenarios)
        {
            string title = scenario.Describe(options);
            results.TryGetValue((Moonbridge, scenario.Name), out Measurement? moon);
            Measurement? peer = withPeer ? results.GetValueOrDefault((ServerSpec.CEpollName, scenario.Name)) : null;
            string? primaryVariant = null;
            string? previousVariant = null;
            foreach (Metric metric in Metric.For(scenario))
            {
                string? variant = metric.Value is null ? primaryVariant
                    : metric.SplitsPrevious ? previousVariant
                    : Best(metric, kestrels, scenario, results);
                primaryVariant ??= variant;
                previousVariant = variant;
                Measurement? kestrel = variant is null ? null : results.GetValueOrDefault((variant, scenario.Name));
                string peerColumns = withPeer ? $" {Show(metric, peer)} | {Ratio(metric, moon, peer)} |" : "";
                Console.WriteLine($"| {title} | {metric.Label} | {Show(metric, moon)} | {Show(metric, kestrel)} | {variant ?? "-"} | {Ratio(metric, moon, kestrel)} |{peerColumns} {(metric.HigherIsBetter ? "higher" : "lower")} |");
                title = "";
            }
        }

        Console.WriteLine();
        Console.WriteLine("### All servers");
        Console.WriteLine();
        Console.WriteLine($"| Scenario | Metric | {string.Join(" | ", servers.Select(s => s.Name))} |");
        Console.WriteLine($"|---|---|{string.Concat(servers.Select(_ => "---:|"))}");
        foreach (Scenario scenario in options.Scenarios)
        {
            string name = scenario.Name;
            foreach (Metric metric in Metric.For(scenario))
            {
                Console.WriteLine($"| {name} | {metric.Label} | {string.Join(" | ", servers.Select(s => Show(metric, results.GetValueOrDefault((s.Name, scenario.Name)))))} |");
                name = "";
            }
        }

        var notes = new List<string>();
        foreach (Scenario scenario in options.Scenarios)
        {
            foreach (ServerSpec server in servers)
            {
                if (!results.TryGetValue((server.Name, scenario.Name), out Measurement? r))
                {
                    notes.Add($"- {server.Name} / {scenario.Name}: not measured");
                    continue;
                }

                string errors = r.Errors > 0 ? $"{r.Errors.ToString("N0", CultureInfo.InvariantCulture)} errors (non-2xx/3xx, socket errors or timeouts)" : "";
                if (r.Note is not null || errors.Length > 0)
                {
                    notes.Add($"- {server.Name} / {scenario.Name}: {string.Join("; ", new[] { r.Note, errors }.Where(s => !string.IsNullOrEmpty(s)))}");
                }
            }
        }

        if (notes.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("Notes:");
            Console.WriteLine();
            notes.ForEach(Console.WriteLine);
        }

        Console.WriteLine();
        Console.WriteLine("Legend:");
        Console.WriteLine();
        Console.WriteLine($"- Machine: {machine}.");
        if (options.Rounds > 1)
        {
            Console.WriteLine($"- Each figure is the median of {options.Rounds} rounds of the whole run (an even count: the mean of the middle two); the servers' order rotates from round to round.");
        }

        Console.WriteLine($"- Each server runs alone as a child process pinned to CPU 1; the load comes from CPU 0 ({machine.LoadGenerator}, one thread; uploads and idle connections from this process). "
            + (options.Quick
                ? $"Request scenarios: {options.Duration} s each after one unmeasured round of them; upload scenarios after one unmeasured batch (a quick run: figures before the runtime has finished compiling)."
                : $"Request scenarios: {options.Duration} s each, after warm-up rounds of all of them (unmeasured, {options.Warmup} s per round) until the runtime compiles nothing more (Moonbridge's /stats; two rounds for the others); upload scenarios: batches of the same {options.Uploads} uploads, unmeasured, until the runtime compiles nothing more (Moonbridge's /stats; three batches for the others), then one measured.")
            + " Every .NET server starts with DOTNET_TC_CallCountingDelayMs=0, so tiered compilation reaches its last tier within the warm-up.");
        Console.WriteLine("- Moonbridge / Kestrel: Moonbridge's figure divided by the best Kestrel variant measured in the same run (best = highest req/s or MB/s, lowest CPU or memory). "
            + "\"Better\" is the direction that favours a server: for req/s and MB/s a ratio above 1 means Moonbridge is ahead; for CPU and memory a ratio below 1 means Moonbridge is ahead. "
            + "Latencies come from the variant of the throughput row.");
        if (withPeer)
        {
            Console.WriteLine("- C epoll: Load/Peers/cepoll.c, compiled with `cc -O2` for the run: one thread, edge-triggered epoll, one read and one send per batch of requests, no framework, the same routes. "
                + "It marks what one core can do with plain epoll; Moonbridge / C epoll reads like Moonbridge / Kestrel. Its /upload is never tracked, like Kestrel's.");
        }

        Console.WriteLine("- req/s: responses per second over the run. p50 / p99: latency percentiles (wrk: request written to response read; none for pipelined requests, which wrk records mostly as zero; uploads: per 64 MiB upload).");
        Console.WriteLine("- connection per request: every request on a new TCP connection (`Connection: close`), so connect, accept and close are part of the cost.");
        Console.WriteLine("- MB/s: 10^6 bytes of request body per second of wall time, over all uploads together. Kestrel's /upload is never tracked (it has no tracking): "
            + "the tracking-on row compares Moonbridge's tracked upload (`/upload?X-Progress-Id=<unique>`) with Kestrel's plain one.");
        Console.WriteLine("- server CPU µs/req: user + system CPU time of the server process during the run (/proc/<pid>/stat utime + stime, clock-tick resolution) divided by the responses completed; for uploads per 64 MiB upload. In parentheses, that CPU time over the run's wall time (100 % = the server's core fully busy): a server below it was waiting for the client, which inflates its CPU per request. "
            + "Below it, the same time split into user time (the server's own code) and system time (the kernel's work for it: its socket calls and the TCP stack they run); "
            + "every server makes about the same system calls per request, so against the C peer the system time shows the shared cost and the user time what a framework adds.");
        Console.WriteLine($"- RSS bytes/idle conn: (server VmRSS with the connections held − VmRSS before) / connections held, each reading after {options.Settle.TotalSeconds} s of settling; "
            + "every connection sent one GET /plaintext and read the answer, then idled. The held count is in parentheses. "
            + "RSS only grows when the server touches new pages, so allocations that fit in memory its GC already holds do not show; a growth of 0 or less gives no ratio.");
        Console.WriteLine("- \"-\": not measured (server did not start or crashed, wrk failed, no Kestrel in the run, no cc for the C peer); see the notes.");
    }

    private static string? Best(Metric metric, string[] kestrels, Scenario scenario, IReadOnlyDictionary<(string Server, string Scenario), Measurement> results)
    {
        string? best = null;
        double bestValue = 0;
        foreach (string name in kestrels)
        {
            if (results.TryGetValue((name, scenario.Name), out Measurement? r) && metric.Value!(r) is { } v
                && (best is null || (metric.HigherIsBetter ? v > bestValue : v < bestValue)))
            {
                best = name;
                bestValue = v;
            }
        }

        return best;
    }

    private static string Show(Metric metric, Measurement? r) => r is null ? "-" : metric.Display(r);

    /// <summary>Moonbridge's figure divided by another server's, or "-" for display-only rows and missing or zero figures.</summary>
    private static string Ratio(Metric metric, Measurement? moon, Measurement? other) =>
        metric.Value is not null && moon is not null && other is not null && metric.Value(moon) is { } m && metric.Value(other) is { } o && o > 0
            ? (m / o).ToString("0.00", CultureInfo.InvariantCulture)
            : "-";

    /// <summary>
    /// One printed figure of a scenario: its label, its better direction, its value (null for display-only rows), and
    /// whether it is a part of the figure above it (<paramref name="SplitsPrevious"/>), compared with the same Kestrel variant.
    /// </summary>
    private sealed record Metric(string Label, bool HigherIsBetter, Func<Measurement, double?>? Value, Func<Measurement, string> Display, bool SplitsPrevious = false)
    {
        private static readonly Metric Rps = new("req/s", true, r => r.Rate, r => Number(r.Rate, "N0"));
        private static readonly Metric MegabytesPerSecond = new("MB/s", true, r => r.Rate, r => Number(r.Rate, "N1"));
        private static readonly Metric Latency = new("latency p50 / p99", false, null, r => r.P50 == "-" && r.P99 == "-" ? "-" : $"{r.P50} / {r.P99}");
        private static readonly Metric Cpu = new("server CPU µs/req (core busy)", false, r => r.CpuMicrosPerRequest,
            r => r.CoreUtilisation is { } busy
                ? $"{Number(r.CpuMicrosPerRequest, r.CpuMicrosPerRequest < 1000 ? "N1" : "N0")} ({busy.ToString("P0", CultureInfo.InvariantCulture)})"
                : Number(r.CpuMicrosPerRequest, r.CpuMicrosPerRequest < 1000 ? "N1" : "N0"));
        private static readonly Metric UserCpu = new("of which user µs/req", false, r => r.UserMicrosPerRequest, r => Number(r.UserMicrosPerRequest, "N2"), SplitsPrevious: true);
        private static readonly Metric SystemCpu = new("of which system µs/req", false, r => r.SystemMicrosPerRequest, r => Number(r.SystemMicrosPerRequest, "N2"), SplitsPrevious: true);
        private static readonly Metric CpuPerUpload = new("server CPU µs/upload", false, r => r.CpuMicrosPerRequest, r => Number(r.CpuMicrosPerRequest, "N0"));
        private static readonly Metric Memory = new("RSS bytes/idle conn", false, r => r.BytesPerConnection,
            r => r.BytesPerConnection is null ? "-" : $"{Number(r.BytesPerConnection, "N0")} ({r.HeldConnections.ToString("N0", CultureInfo.InvariantCulture)})");

        private static readonly Metric Rss = new("VmRSS before → held, MiB", false, null,
            r => r.RssBefore is { } b && r.RssAfter is { } a ? $"{Mib(b)} → {Mib(a)}" : "-");

        public static Metric[] For(Scenario scenario) => scenario.Kind switch
        {
            ScenarioKind.Requests => [Rps, Latency, Cpu, UserCpu, SystemCpu],
            ScenarioKind.Upload => [MegabytesPerSecond, Latency, CpuPerUpload],
            _ => [Memory, Rss],
        };

        private static string Mib(long bytes) => (bytes / 1048576.0).ToString("N1", CultureInfo.InvariantCulture);

        private static string Number(double? value, string format) => value?.ToString(format, CultureInfo.InvariantCulture) ?? "-";
    }
}
