using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>
/// A connected loopback pair: a <see cref="MoonSocket"/> under test and a plain <see cref="Socket"/>
/// as its peer. If the test's token is cancelled, the peer is reset, so that any blocking call on the
/// <see cref="Moon"/> side returns (with an error) instead of hanging the test run.
/// </summary>
internal sealed class SocketPair : IDisposable
{
    private readonly CancellationTokenRegistration _watchdog;

    private SocketPair(MoonSocket moon, Socket peer, CancellationToken cancellationToken)
    {
        Moon = moon;
        Peer = peer;
        _watchdog = cancellationToken.Register(static state => ResetPeer((Socket)state!), peer);
    }

    /// <summary>The socket under test.</summary>
    public MoonSocket Moon { get; }

    /// <summary>The plain socket at the other end.</summary>
    public Socket Peer { get; }

    /// <summary>
    /// Listens with <see cref="MoonbridgeIO.TcpListen"/> on <paramref name="host"/> port 0, connects a plain
    /// socket to it and accepts the <see cref="MoonSocket"/>.
    /// </summary>
    public static async Task<SocketPair> AcceptAsync(CancellationToken cancellationToken, string host = "127.0.0.1")
    {
        using MoonListener listener = MoonbridgeIO.TcpListen(host, 0);
        IPAddress address = IPAddress.Parse(host);
        var peer = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await peer.ConnectAsync(new IPEndPoint(address, listener.Port!.Value), cancellationToken);
            MoonSocket moon = await listener.AcceptAsync(cancellationToken);
            return new SocketPair(moon, peer, cancellationToken);
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Listens with a plain socket on <paramref name="host"/> port 0 and connects to it with
    /// <see cref="MoonbridgeIO.TcpConnectAsync"/>; the accepted plain socket is the peer.
    /// </summary>
    public static async Task<SocketPair> ConnectAsync(CancellationToken cancellationToken, string host = "127.0.0.1")
    {
        IPAddress address = IPAddress.Parse(host);
        using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(address, 0));
        listener.Listen();
        int port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        Task<Socket> accepting = listener.AcceptAsync(cancellationToken).AsTask();
        MoonSocket moon = await MoonbridgeIO.TcpConnectAsync(host, port, cancellationToken);
        try
        {
            Socket peer = await accepting;
            return new SocketPair(moon, peer, cancellationToken);
        }
        catch
        {
            moon.Reset();
            throw;
        }
    }

    /// <summary>Makes the peer's close send an RST, then closes it.</summary>
    public void ResetPeer() => ResetPeer(Peer);

    /// <summary>Resets the <see cref="MoonSocket"/> if still open (never blocks on a flush), then closes the peer.</summary>
    public void Dispose()
    {
        _watchdog.Dispose();
        if (!Moon.IsClosed)
        {
            Moon.Reset();
        }

        Peer.Dispose();
    }

    private static void ResetPeer(Socket peer)
    {
        try
        {
            peer.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        peer.Dispose();
    }
}
