using System.Globalization;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// What Linux's /proc says about a process: CPU time (utime + stime from <c>/proc/&lt;pid&gt;/stat</c>),
/// resident memory (VmRSS from <c>/proc/&lt;pid&gt;/status</c>) and the open-file limit; plus the size of
/// the ephemeral port range. Every reader answers null where the figure is unavailable.
/// </summary>
internal static class ProcessStats
{
    private static double s_ticksPerSecond = 100;

    /// <summary>Reads the clock-tick rate the stat file counts in (<c>getconf CLK_TCK</c>; 100 if that fails).</summary>
    public static async Task InitializeAsync()
    {
        (int code, string output) = await ChildProcess.RunAsync("getconf", ["CLK_TCK"], TimeSpan.FromSeconds(5));
        if (code == 0 && int.TryParse(output.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int ticks) && ticks > 0)
        {
            s_ticksPerSecond = ticks;
        }
    }

    /// <summary>User plus system CPU time the process has used so far (all its threads).</summary>
    public static TimeSpan? CpuTime(int pid) => CpuTimes(pid) is { } times ? times.User + times.System : null;

    /// <summary>
    /// The CPU time the process has used so far (all its threads), split into its own code's (user) and the kernel's
    /// work on its behalf (system: its system calls, and the network stack they run).
    /// </summary>
    public static (TimeSpan User, TimeSpan System)? CpuTimes(int pid)
    {
        string? stat = Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        int close = stat?.LastIndexOf(')') ?? -1;
        if (stat is null || close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        // After "pid (comm) " come the fields from number 3 (state) on; utime and stime are numbers 14 and 15.
        string[] fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 12
            && ulong.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out ulong user)
            && ulong.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out ulong system)
            ? (TimeSpan.FromSeconds(user / s_ticksPerSecond), TimeSpan.FromSeconds(system / s_ticksPerSecond))
            : null;
    }

    /// <summary>The resident set size in bytes.</summary>
    public static long? RssBytes(int pid)
    {
        string? status = Read($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status");
        foreach (string line in status?.Split('\n') ?? [])
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string value = line[6..].Trim();
                int space = value.IndexOf(' ', StringComparison.Ordinal);
                return long.TryParse(space < 0 ? value : value[..space], NumberStyles.None, CultureInfo.InvariantCulture, out long kib) ? kib * 1024 : null;
            }
        }

        return null;
    }

    /// <summary>The soft limit on open files of a process (<c>self</c> or a pid); null if unlimited or unknown.</summary>
    public static long? OpenFileLimit(string pid)
    {
        string? limits = Read($"/proc/{pid}/limits");
        foreach (string line in limits?.Split('\n') ?? [])
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string[] parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) ? soft : null;
            }
        }

        return null;
    }

    /// <summary>How many local ports <c>ip_local_port_range</c> allows for outgoing connections.</summary>
    public static int? EphemeralPortCount()
    {
        string[]? parts = Read("/proc/sys/net/ipv4/ip_local_port_range")?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts is { Length: 2 }
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int low)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int high)
            ? high - low + 1
            : null;
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
