using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary><c>TcpConnect</c> and <c>TcpConnectNb</c> (Lua <c>tcpconnect</c>, <c>tcpconnect_nb</c>).</summary>
public sealed class ConnectTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TcpConnectNbToAClosedPortReportsConnectionRefusedOnTheFirstRead(CancellationToken cancellationToken)
    {
        using Socket closed = BoundButNotListening();

        using MoonSocket socket = MoonbridgeIO.TcpConnectNb("127.0.0.1", Port(closed));
        IoData read = await BlockingThread.Run(() => socket.Read(), null).WaitAsync(cancellationToken);

        Assert.That(read.Status, Is.EqualTo(IoStatus.Error));
        Assert.That(read.Error, Is.EqualTo(SocketError.ConnectionRefused));
        Assert.That(socket.ReadNb().Status, Is.EqualTo(IoStatus.Error));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TcpConnectNbToAClosedPortReportsTheFailureToWritesToo(CancellationToken cancellationToken)
    {
        using Socket closed = BoundButNotListening();

        using MoonSocket socket = MoonbridgeIO.TcpConnectNb("127.0.0.1", Port(closed));
        IoWriteResult flush = await socket.FlushAsync("hello?", cancellationToken);

        Assert.That(flush.IsError, Is.True);
        Assert.That(flush.Error, Is.EqualTo(SocketError.ConnectionRefused));
    }

    [Test]
    public void TcpConnectToAClosedPortThrowsConnectionRefused()
    {
        using Socket closed = BoundButNotListening();

        Assert.That(
            () => MoonbridgeIO.TcpConnect("127.0.0.1", Port(closed)),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TcpConnectNbQueuesWritesUntilConnectedAndThenDelivers(CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();

        using MoonSocket socket = MoonbridgeIO.TcpConnectNb("127.0.0.1", Port(listener));
        IoWriteResult queued = socket.FlushNb("sent while connecting");
        using Socket peer = await listener.AcceptAsync(cancellationToken);
        byte[] received = await peer.ReceiveExactlyAsync(21, cancellationToken);

        Assert.That(queued.IsError, Is.False);
        Assert.That(received, Is.EqualTo("sent while connecting"u8.ToArray()));
        Assert.That(socket.RemoteTcpPort, Is.EqualTo(Port(listener)));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TcpConnectNbReportsItsLocalAddressOnceConnected(CancellationToken cancellationToken)
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();

        using MoonSocket socket = MoonbridgeIO.TcpConnectNb("127.0.0.1", Port(listener));
        using Socket peer = await listener.AcceptAsync(cancellationToken);
        await socket.FlushAsync("x", cancellationToken);
        _ = await peer.ReceiveExactlyAsync(1, cancellationToken);

        var seenByPeer = (IPEndPoint)peer.RemoteEndPoint!;
        Assert.That(socket.LocalTcpPort, Is.EqualTo(seenByPeer.Port));
        Assert.That(socket.LocalIp4, Is.EqualTo("127.0.0.1"));
        Assert.That(socket.LocalEndPoint, Is.EqualTo(seenByPeer));
    }

    /// <summary>A TCP port nothing listens on, held so that no one else can take it meanwhile.</summary>
    private static Socket BoundButNotListening()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static int Port(Socket socket) => ((IPEndPoint)socket.LocalEndPoint!).Port;
}
