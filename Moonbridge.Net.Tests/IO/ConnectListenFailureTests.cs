using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>The <see cref="MoonbridgeIO"/> connect and listen calls where they cannot succeed: each fails with the socket's own error and leaves nothing open.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ConnectListenFailureTests
{
    [Test]
    public void ConnectingToASocketFileThatDoesNotExistFails()
    {
        using var directory = new TempDirectory();
        SocketException e = Assert.Throws<SocketException>(() => MoonbridgeIO.LocalConnect(directory.File("nobody.sock")))!;
        Assert.That(e.SocketErrorCode, Is.AnyOf(SocketError.AddressNotAvailable, SocketError.ConnectionRefused));
    }

    [Test]
    public void ListeningOnATakenPortFailsWithAddressAlreadyInUse()
    {
        using MoonListener taken = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        SocketException e = Assert.Throws<SocketException>(() => MoonbridgeIO.TcpListen("127.0.0.1", ((System.Net.IPEndPoint)taken.LocalEndPoint!).Port))!;
        Assert.That(e.SocketErrorCode, Is.EqualTo(SocketError.AddressAlreadyInUse));
    }

    [Test]
    public void ListeningInADirectoryThatDoesNotExistFails()
    {
        using var directory = new TempDirectory();
        Assert.That(() => MoonbridgeIO.LocalListen(directory.File("missing/server.sock")), Throws.InstanceOf<SocketException>());
    }

    [Test]
    public async Task AHostNameIsResolvedForListeningAndConnecting(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("localhost", 0);
        int port = ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port;
        await using MoonSocket client = await MoonbridgeIO.TcpConnectAsync("localhost", port, cancellationToken);
        Assert.That(client.RemoteEndPoint, Is.Not.Null);
    }

    [Test]
    public void AConnectCancelledBeforeItStartsThrowsOperationCanceled()
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.That(
            async () => await MoonbridgeIO.TcpConnectAsync("127.0.0.1", ((System.Net.IPEndPoint)listener.LocalEndPoint!).Port, cancelled.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }
}
