using System.Net.Sockets;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>Two connected Unix stream sockets, met at a random name in the abstract namespace (nothing is left on disk).</summary>
internal static class UnixStreamPair
{
    /// <summary>Connects a socket to a fresh listener and returns both ends; the listener is closed again.</summary>
    public static async Task<(Socket Left, Socket Right)> ConnectAsync(CancellationToken cancellationToken)
    {
        var endPoint = new UnixDomainSocketEndPoint("\0moonbridge-test-" + Guid.NewGuid().ToString("N"));
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(endPoint);
        listener.Listen(1);
        var left = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await left.ConnectAsync(endPoint, cancellationToken);
            Socket right = await listener.AcceptAsync(cancellationToken);
            return (left, right);
        }
        catch
        {
            left.Dispose();
            throw;
        }
    }
}
