namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// What one scenario measured on one server. <see cref="Rate"/> is requests/s or MB/s (by scenario kind);
/// figures that were not measured stay null; <see cref="Note"/> says why a run has no figures or what went wrong.
/// </summary>
internal sealed record Measurement
{
    /// <summary>Requests per second (request scenarios) or MB/s, 10^6 bytes (upload scenarios).</summary>
    public double? Rate { get; init; }

    public string P50 { get; init; } = "-";

    public string P99 { get; init; } = "-";

    /// <summary>Responses completed during the measured run.</summary>
    public long Requests { get; init; }

    /// <summary>Non-2xx/3xx responses, socket errors and timeouts.</summary>
    public long Errors { get; init; }

    /// <summary>Server user + system CPU time during the run divided by <see cref="Requests"/>, in µs.</summary>
    public double? CpuMicrosPerRequest { get; init; }

    /// <summary>The user-time part of <see cref="CpuMicrosPerRequest"/>: the server's own code.</summary>
    public double? UserMicrosPerRequest { get; init; }

    /// <summary>The system-time part of <see cref="CpuMicrosPerRequest"/>: the kernel's work for the server (socket calls, TCP).</summary>
    public double? SystemMicrosPerRequest { get; init; }

    /// <summary>Server CPU time during the run over the run's wall time: 1.0 is one core fully busy.</summary>
    public double? CoreUtilisation { get; init; }

    /// <summary>Server RSS growth per held idle connection, in bytes.</summary>
    public double? BytesPerConnection { get; init; }

    /// <summary>Server VmRSS in bytes before the idle connections were opened and while they were held.</summary>
    public long? RssBefore { get; init; }

    public long? RssAfter { get; init; }

    /// <summary>Idle connections actually held open during the memory measurement.</summary>
    public int HeldConnections { get; init; }

    public string? Note { get; init; }

    public static Measurement Failed(string note) => new() { Note = note };
}
