using System.Net.Sockets;
using Moonbridge.Net.Server;

namespace ExampleSupport;

/// <summary>
/// Turns a failure to listen (a port already taken, an address not on this machine, a live socket file)
/// into one line that names the address, instead of an unhandled exception and its stack trace.
/// </summary>
internal static class ListenFailure
{
    /// <summary>The listening server, or null after the reason it could not listen went to standard error.</summary>
    public static MoonbridgeServer? TryListen(ListenOptions options, string program)
    {
        try
        {
            return MoonbridgeServer.Listen(options);
        }
        catch (Exception e) when (IsListenFailure(e))
        {
            Console.Error.WriteLine(Describe(program, options.Listeners.Select(Address).OfType<string>(), e));
            return null;
        }
    }

    /// <summary>Whether <paramref name="e"/> is how binding or validating the listeners fails.</summary>
    public static bool IsListenFailure(Exception e) => e is SocketException or IOException or ArgumentException or UnauthorizedAccessException;

    /// <summary>One line: the program, the addresses it was to listen on, and why it could not.</summary>
    public static string Describe(string program, IEnumerable<string> addresses, Exception e)
    {
        if (e is ArgumentException)
        {
            // The pool refused its options (MinFork above MaxFork, say): nothing to do with an address.
            return $"{program}: invalid settings: {FirstLine(e.Message)}";
        }

        string where = string.Join(", ", addresses);
        string why = e is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse }
            ? "the address is already in use (is another server running there? --port picks another port)"
            : FirstLine(e.Message);
        return where.Length == 0 ? $"{program}: cannot listen: {why}" : $"{program}: cannot listen on {where}: {why}";
    }

    /// <summary>host:port of a TCP listener, the path of a Unix socket; null for timers and run-once entries.</summary>
    public static string? Address(ListenerSpec spec) => spec switch
    {
        TcpListenerSpec tcp => Address(tcp.Host, tcp.Port),
        LocalListenerSpec local => local.Path,
        _ => null,
    };

    private static string FirstLine(string text) => text.Split('\n', 2)[0].TrimEnd();

    public static string Address(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
}
