using System.Globalization;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>
/// Counts this machine's TCP sockets whose local port is a server's, by state, from <c>/proc/net/tcp</c> and
/// <c>/proc/net/tcp6</c> (Linux): what <c>ss -tn state close-wait sport = :port</c> would list.
/// </summary>
internal static class ServerSocketStates
{
    /// <summary>CLOSE_WAIT: the peer sent its FIN and this side has not closed yet.</summary>
    public const int CloseWait = 0x08;

    public static bool IsAvailable => File.Exists("/proc/net/tcp");

    public static int Count(int localPort, int state)
    {
        int count = 0;
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (string line in File.ReadLines(table).Skip(1))
            {
                // "  sl  local_address rem_address   st ...": local_address is ADDRESS:PORT in hex.
                string[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 4)
                {
                    continue;
                }

                string local = fields[1];
                int port = int.Parse(local.AsSpan(local.LastIndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (port == localPort && int.Parse(fields[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == state)
                {
                    count++;
                }
            }
        }

        return count;
    }
}
