using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>Turns a raw connected descriptor and the bytes read from it before into a <see cref="MoonSocket"/>.</summary>
internal static class Adoption
{
    /// <summary>
    /// Wraps <paramref name="fd"/> (owned by the caller until this returns; closed here on failure) in a
    /// socket whose first reads return <paramref name="pending"/>.
    /// </summary>
    internal static MoonSocket Adopt(int fd, ReadOnlyMemory<byte> pending)
    {
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        Socket socket;
        try
        {
            socket = new Socket(handle);
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        try
        {
            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                socket.NoDelay = true;
            }

            socket.Blocking = false;
            return new MoonSocket(new SocketConnection(socket, preRead: pending), socket.LocalEndPoint, SafeRemote(socket));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static System.Net.EndPoint? SafeRemote(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (SocketException)
        {
            return null;
        }
    }
}
