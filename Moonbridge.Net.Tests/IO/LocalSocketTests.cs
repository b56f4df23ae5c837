using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>Unix domain sockets: <c>LocalListen</c>, <c>LocalConnect</c> and the socket file.</summary>
public sealed class LocalSocketTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task LocalConnectReachesALocalListener(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string path = temp.File("echo.sock");
        using MoonListener listener = MoonbridgeIO.LocalListen(path);

        using MoonSocket client = MoonbridgeIO.LocalConnect(path);
        using MoonSocket server = await listener.AcceptAsync(cancellationToken);
        client.Flush("over a unix socket\n");
        IoData line = await server.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);

        Assert.That(listener.Path, Is.EqualTo(path));
        Assert.That(listener.Port, Is.Null);
        Assert.That(line.Text, Is.EqualTo("over a unix socket\n"));
        Assert.That(line.Status, Is.EqualTo(IoStatus.Term));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task LocalListenReplacesAStaleSocketFile(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string path = temp.File("stale.sock");
        using (var previous = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            // .NET deletes the file it bound when the socket is disposed; a crashed process would not.
            // Moving the file away from the bound name leaves a stale socket file behind, as a crash does.
            string bound = temp.File("bound.sock");
            previous.Bind(new UnixDomainSocketEndPoint(bound));
            previous.Listen();
            File.Move(bound, path);
        }

        Assert.That(File.Exists(path), Is.True, "the stale socket file is there");

        using MoonListener listener = MoonbridgeIO.LocalListen(path);
        using MoonSocket client = MoonbridgeIO.LocalConnect(path);
        using MoonSocket server = await listener.AcceptAsync(cancellationToken);
        client.Flush("alive");
        IoData data = await server.ReadAsync(5, cancellationToken: cancellationToken);

        Assert.That(data.Text, Is.EqualTo("alive"));
    }

    [Test]
    public void LocalListenOnARegularFileThrowsIOExceptionAndLeavesTheFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File("not-a-socket");
        File.WriteAllText(path, "precious");

        Assert.That(() => MoonbridgeIO.LocalListen(path), Throws.TypeOf<IOException>());
        Assert.That(File.ReadAllText(path), Is.EqualTo("precious"));
    }

    [Test]
    public void LocalListenOnASocketSomeoneListensOnThrows()
    {
        using var temp = new TempDirectory();
        string path = temp.File("live.sock");
        using MoonListener first = MoonbridgeIO.LocalListen(path);

        Assert.That(
            () => MoonbridgeIO.LocalListen(path),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.AddressAlreadyInUse));
        Assert.That(File.Exists(path), Is.True);
    }

    [Test]
    public void ClosingALocalListenerRemovesItsSocketFile()
    {
        using var temp = new TempDirectory();
        string path = temp.File("gone.sock");
        MoonListener listener = MoonbridgeIO.LocalListen(path);
        Assert.That(File.Exists(path), Is.True);

        listener.Close();

        Assert.That(File.Exists(path), Is.False);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task LocalConnectNbStartsAConnectionThatCarriesData(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string path = temp.File("nb.sock");
        using MoonListener listener = MoonbridgeIO.LocalListen(path);

        using MoonSocket client = MoonbridgeIO.LocalConnectNb(path);
        using MoonSocket server = await listener.AcceptAsync(cancellationToken);
        IoWriteResult flushed = await client.FlushAsync("queued while connecting", cancellationToken);
        IoData data = await server.ReadAsync(23, cancellationToken: cancellationToken);

        Assert.That(flushed, Is.EqualTo(new IoWriteResult(0)));
        Assert.That(data.Text, Is.EqualTo("queued while connecting"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task LocalConnectNbReportsItsLocalEndPointOnceConnected(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string path = temp.File("nb-local.sock");
        using MoonListener listener = MoonbridgeIO.LocalListen(path);

        using MoonSocket client = MoonbridgeIO.LocalConnectNb(path);
        using MoonSocket server = await listener.AcceptAsync(cancellationToken);
        await client.FlushAsync("x", cancellationToken);
        _ = await server.ReadAsync(1, cancellationToken: cancellationToken);

        Assert.That(client.LocalEndPoint, Is.InstanceOf<UnixDomainSocketEndPoint>());
        Assert.That(client.LocalTcpPort, Is.Null);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task UnixSocketsHaveNoAddressProperties(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string path = temp.File("anon.sock");
        using MoonListener listener = MoonbridgeIO.LocalListen(path);

        using MoonSocket client = MoonbridgeIO.LocalConnect(path);
        using MoonSocket server = await listener.AcceptAsync(cancellationToken);

        Assert.That(
            new object?[] { server.LocalIp4, server.LocalIp6, server.LocalTcpPort, server.RemoteIp4, server.RemoteIp6, server.RemoteTcpPort },
            Is.All.Null);
    }
}
