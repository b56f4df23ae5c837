using System.Globalization;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// A benchmark server the load mode can start: its key for <c>--servers</c>, its display name, its mode arguments
/// (for this assembly; the C peer is its own executable).
/// </summary>
internal sealed record ServerSpec(string Key, string Name, string[] Args)
{
    public static readonly ServerSpec[] All =
    [
        new("moonbridge", "Moonbridge", ["server"]),
        new("kestrel", "Kestrel", ["kestrel"]),
        new("kestrel-inline", "Kestrel-inline", ["kestrel", "--inline"]),
        new("c-epoll", CEpollName, []),
    ];

    /// <summary>Servers run only when named in <c>--servers</c>.</summary>
    public static readonly ServerSpec[] Optional =
    [
        // The Moonbridge server with its progress store on a redis-server the load mode starts (issue 17's throughput).
        new("moonbridge-redis", "Moonbridge+Redis", ["server"]),
    ];

    public const string CEpollName = "C epoll";

    public bool IsKestrel => Key.StartsWith("kestrel", StringComparison.Ordinal);

    public bool IsCEpoll => Key == "c-epoll";

    public bool IsMoonbridge => Key.StartsWith("moonbridge", StringComparison.Ordinal);

    /// <summary>Whether the load mode starts a redis-server for this server (<c>--redis</c>).</summary>
    public bool UsesRedis => Key == "moonbridge-redis";
}

/// <summary>
/// The load mode's command line: <c>load [--quick] [--duration S] [--connections C] [--only a,b]
/// [--servers moonbridge,kestrel,kestrel-inline,c-epoll,moonbridge-redis] [--idle N] [--resumable N] [--upload-dir DIR] [--upload-rate MBPS] [--idle-rest-delay MS] [--rounds N]</c>.
/// </summary>
internal sealed record LoadOptions
{
    public const string Usage = "usage: load [--quick] [--duration S] [--warmup S] [--connections C] [--only SCENARIO[,SCENARIO]] [--servers moonbridge,kestrel,kestrel-inline,c-epoll,moonbridge-redis] [--idle N] [--resumable N] [--upload-dir DIR] [--upload-rate MBPS] [--idle-rest-delay MS] [--rounds N]";

    public bool Quick { get; private init; }

    /// <summary>Seconds per wrk run.</summary>
    public int Duration { get; private init; } = 10;

    /// <summary>
    /// Seconds of warm-up load per server before the first measured run: long enough for tiered compilation to
    /// finish the hot path (a .NET server measured 3 s after start ran at 60 % of its settled rate on the 2-core box).
    /// </summary>
    public int Warmup { get; private init; } = 10;

    public int Connections { get; private init; } = 64;

    /// <summary>
    /// Rounds of the whole run, the servers' order rotating from round to round; every figure of the table is the
    /// median over the rounds (the machine is shared: single runs move by 10–30 %).
    /// </summary>
    public int Rounds { get; private init; } = 1;

    /// <summary>Large uploads per upload scenario, and the connections they are spread over.</summary>
    public int Uploads { get; private init; } = 20;

    public int UploadConnections { get; private init; } = 4;

    /// <summary>Uploads of each kind (resumable, plain) in the resumable-upload scenario; its MB/s are their medians.</summary>
    public int ResumableUploads { get; private init; } = 5;

    /// <summary>Size of each upload of the resumable-upload scenario (1 GiB; 128 MiB in a quick run).</summary>
    public long ResumableBytes { get; private init; } = 1024L * 1024 * 1024;

    /// <summary>
    /// The directory under which the resumable-upload scenario's store is made (a new subdirectory, removed at the end);
    /// the system's temporary directory when null. Its file system decides what an fsync costs.
    /// </summary>
    public string? UploadDirectory { get; private init; }

    /// <summary>
    /// The pace, in MB/s (10^6 bytes), at which the resumable-upload scenario's client sends each request's content, as a
    /// link of that capacity would; 0 (the default) sends as fast as the server takes it.
    /// </summary>
    public int UploadRate { get; private init; }

    /// <summary>The Moonbridge servers' <c>HttpOptions.IdleRestDelay</c> in milliseconds (<c>--idle-rest-delay MS</c>), or null for the default.</summary>
    public int? IdleRestDelay { get; private init; }

    /// <summary>Idle keep-alive connections to hold (fewer if fd or port limits forbid it).</summary>
    public int IdleConnections { get; private init; } = 10_000;

    /// <summary>Pause before each RSS reading so the server settles (timers, lazy allocations, GC).</summary>
    public TimeSpan Settle { get; private init; } = TimeSpan.FromSeconds(2);

    public IReadOnlyList<Scenario> Scenarios { get; private init; } = Scenario.All;

    public IReadOnlyList<ServerSpec> Servers { get; private init; } = ServerSpec.All;

    /// <summary>Parses the arguments; on error returns null and a message.</summary>
    public static LoadOptions? Parse(string[] args, out string? error)
    {
        error = null;
        bool quick = args.Contains("--quick");
        var options = quick
            ? new LoadOptions { Quick = true, Duration = 1, Warmup = 1, Uploads = 2, UploadConnections = 2, IdleConnections = 1_000, Settle = TimeSpan.FromSeconds(1), ResumableUploads = 3, ResumableBytes = 128L * 1024 * 1024 }
            : new LoadOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--quick":
                    continue;
                case "--duration" when TryPositive(value, out int d):
                    options = options with { Duration = d };
                    break;
                case "--warmup" when TryPositive(value, out int w):
                    options = options with { Warmup = w };
                    break;
                case "--rounds" when TryPositive(value, out int rounds):
                    options = options with { Rounds = rounds };
                    break;
                case "--connections" when TryPositive(value, out int c):
                    options = options with { Connections = c };
                    break;
                case "--idle" when TryPositive(value, out int n):
                    options = options with { IdleConnections = n };
                    break;
                case "--resumable" when TryPositive(value, out int r):
                    options = options with { ResumableUploads = r };
                    break;
                case "--idle-rest-delay" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int restDelay):
                    options = options with { IdleRestDelay = restDelay };
                    break;
                case "--upload-rate" when TryPositive(value, out int rate):
                    options = options with { UploadRate = rate };
                    break;
                case "--upload-dir" when value is not null && Directory.Exists(value):
                    options = options with { UploadDirectory = Path.GetFullPath(value) };
                    break;
                case "--only" when value is not null:
                    List<Scenario> scenarios = [];
                    foreach (string name in Split(value))
                    {
                        Scenario? scenario = Scenario.All.FirstOrDefault(s => s.Name == name);
                        if (scenario is null)
                        {
                            error = $"unknown scenario '{name}'; scenarios: {string.Join(", ", Scenario.All.Select(s => s.Name))}";
                            return null;
                        }

                        scenarios.Add(scenario);
                    }

                    options = options with { Scenarios = Scenario.All.Where(scenarios.Contains).ToArray() };
                    break;
                case "--servers" when value is not null:
                    List<ServerSpec> servers = [];
                    foreach (string key in Split(value))
                    {
                        ServerSpec? server = ServerSpec.All.Concat(ServerSpec.Optional).FirstOrDefault(s => s.Key == key);
                        if (server is null)
                        {
                            error = $"unknown server '{key}'; servers: {string.Join(", ", ServerSpec.All.Concat(ServerSpec.Optional).Select(s => s.Key))}";
                            return null;
                        }

                        servers.Add(server);
                    }

                    options = options with { Servers = ServerSpec.All.Concat(ServerSpec.Optional).Where(servers.Contains).ToArray() };
                    break;
                default:
                    error = $"unexpected argument '{args[i]}'";
                    return null;
            }

            i++;
        }

        if (options.Scenarios.Count == 0 || options.Servers.Count == 0)
        {
            error = "--only and --servers need at least one name";
            return null;
        }

        return options;
    }

    /// <summary>These options with only the scenarios not of <paramref name="kind"/>.</summary>
    public LoadOptions Without(ScenarioKind kind) => this with { Scenarios = Scenarios.Where(s => s.Kind != kind).ToArray() };

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static bool TryPositive(string? text, out int value) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;
}
