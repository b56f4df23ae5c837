using System.Globalization;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Signal dispositions this process inherited. An ignored signal stays ignored in .NET even when a
/// <see cref="System.Runtime.InteropServices.PosixSignalRegistration"/> asks for it, so a handler for it never runs.
/// </summary>
internal static class InheritedSignals
{
    private const int HangUp = 1;

    /// <summary>True when SIGHUP is ignored in this process (started under <c>nohup</c>, or by a parent that ignored it).</summary>
    public static bool IsHangUpIgnored => IsIgnored(HangUp);

    private static bool IsIgnored(int signal)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            // "SigIgn:\t0000000000001000": a hexadecimal mask, bit n-1 for signal n.
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                {
                    return ulong.TryParse(line.AsSpan("SigIgn:".Length).Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong mask)
                        && (mask & (1UL << (signal - 1))) != 0;
                }
            }
        }
        catch (IOException)
        {
        }

        return false;
    }
}
