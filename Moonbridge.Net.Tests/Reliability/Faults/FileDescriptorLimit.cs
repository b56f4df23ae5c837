using System.Runtime.InteropServices;

namespace Moonbridge.Net.Tests.Reliability.Faults;

/// <summary>The process's limit on open files (Linux <c>RLIMIT_NOFILE</c>), raised where the process may.</summary>
internal static class FileDescriptorLimit
{
    private const int RlimitNoFile = 7;

    /// <summary>Raises the soft limit (and, when privileged, the hard one) to at least <paramref name="wanted"/>; returns the soft limit now in force.</summary>
    public static long EnsureAtLeast(long wanted)
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNoFile, out RLimit limit) != 0)
        {
            return wanted;
        }

        if (limit.Current >= (ulong)wanted)
        {
            return (long)limit.Current;
        }

        var raised = new RLimit { Current = (ulong)wanted, Maximum = Math.Max(limit.Maximum, (ulong)wanted) };
        if (SetRLimit(RlimitNoFile, in raised) != 0)
        {
            // Unprivileged: only up to the hard limit.
            raised = new RLimit { Current = limit.Maximum, Maximum = limit.Maximum };
            _ = SetRLimit(RlimitNoFile, in raised);
        }

        return GetRLimit(RlimitNoFile, out limit) == 0 ? (long)limit.Current : wanted;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    // DllImport rather than LibraryImport: the generated marshalling would need unsafe code in this project.
    [DllImport("libc", EntryPoint = "getrlimit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int GetRLimit(int resource, out RLimit limit);

    [DllImport("libc", EntryPoint = "setrlimit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SetRLimit(int resource, in RLimit limit);
}
