using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// Turns a descriptor received over <c>SCM_RIGHTS</c> into a socket: a connected one handed off with the
/// bytes read from it before, or a listening one inherited on a restart. The descriptor is owned by the
/// caller until a method returns, and closed here on failure.
/// </summary>
internal static class Adoption
{
    /// <summary>Wraps a connected <paramref name="fd"/> in a socket whose first reads return <paramref name="pending"/>.</summary>
    /// <exception cref="HandOffException">It is a listening socket, or not a stream socket.</exception>
    internal static MoonSocket Adopt(int fd, ReadOnlyMemory<byte> pending)
    {
        Socket socket = Wrap(fd);
        try
        {
            // A sender may be another user (HandOffListenerSpec.AllowAnyUser): what arrives is checked to be a connection
            // before a handler gets it, rather than failing later on its first read.
            if (socket.SocketType != SocketType.Stream || (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection)! != 0)
            {
                throw new HandOffException("A handed-off descriptor is not a connected stream socket.");
            }

            if (socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            {
                socket.NoDelay = true;
            }

            socket.Blocking = false;
            return new MoonSocket(SocketConnection.ForAdopted(socket, pending), socket.LocalEndPoint, SafeRemote(socket));
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Wraps <paramref name="fd"/>, which must be a listening socket.</summary>
    /// <exception cref="HandOffException">It is not one.</exception>
    internal static Socket AdoptListening(int fd)
    {
        Socket socket = Wrap(fd);
        try
        {
            if ((int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.AcceptConnection)! == 0)
            {
                throw new HandOffException("A descriptor in the listener hand-over is not a listening socket.");
            }

            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static Socket Wrap(int fd)
    {
        var handle = new SafeSocketHandle(fd, ownsHandle: true);
        try
        {
            return new Socket(handle);
        }
        catch
        {
            handle.Dispose();
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
