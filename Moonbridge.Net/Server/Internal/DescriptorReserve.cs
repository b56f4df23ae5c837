using System.Runtime.InteropServices;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Keeps file descriptors in reserve for the process (Linux): accepting stops a margin below the open-file
/// limit (<c>RLIMIT_NOFILE</c>), so the runtime, the handlers and the logs still get the descriptors they
/// need when clients open more connections than the limit allows. Running out altogether takes down more
/// than the connection that asked for one.
/// </summary>
internal static partial class DescriptorReserve
{
    private const int RlimitNoFile = 7;
    private const string DescriptorDirectory = "/proc/self/fd";

    /// <summary>Connections accepted by every pool of the process and not yet closed.</summary>
    private static int s_accepted;

    /// <summary>Descriptors open besides <see cref="s_accepted"/> when last counted.</summary>
    private static int s_others = -1;

    /// <summary>The soft open-file limit, or <see cref="int.MaxValue"/> where it is unknown or unlimited.</summary>
    public static int Limit { get; } = ReadLimit();

    /// <summary>Descriptors kept free: an eighth of the limit, at least 32, at most 256.</summary>
    public static int Reserve { get; } = Math.Clamp(Limit / 8, 32, 256);

    /// <summary>Whether one more connection may be accepted without eating into the reserve.</summary>
    public static bool HasRoom()
    {
        if (Limit == int.MaxValue)
        {
            return true;
        }

        int others = Volatile.Read(ref s_others);
        if (others >= 0 && others + Volatile.Read(ref s_accepted) + Reserve < Limit)
        {
            return true;
        }

        // Close to the limit by the last count: count again, the rest of the process may have closed some.
        int open = CountOpen();
        if (open < 0)
        {
            return true;
        }

        Volatile.Write(ref s_others, Math.Max(0, open - Volatile.Read(ref s_accepted)));
        return open + Reserve < Limit;
    }

    public static void Accepted() => Interlocked.Increment(ref s_accepted);

    public static void Closed() => Interlocked.Decrement(ref s_accepted);

    private static int CountOpen()
    {
        try
        {
            return Directory.EnumerateFileSystemEntries(DescriptorDirectory).Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    private static int ReadLimit()
    {
        if (!OperatingSystem.IsLinux() || GetRLimit(RlimitNoFile, out RLimit limit) != 0)
        {
            return int.MaxValue;
        }

        return limit.Current >= int.MaxValue ? int.MaxValue : (int)limit.Current;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static partial int GetRLimit(int resource, out RLimit limit);
}
