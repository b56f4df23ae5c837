using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>The address properties (Lua <c>local_ip4</c>, <c>remote_tcpport</c>, …), given as text.</summary>
public sealed class AddressTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnAcceptedIPv4SocketReportsBothEndsAsText(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var peerLocal = (IPEndPoint)pair.Peer.LocalEndPoint!;
        var peerRemote = (IPEndPoint)pair.Peer.RemoteEndPoint!;

        Assert.That(pair.Moon.LocalIp4, Is.EqualTo("127.0.0.1"));
        Assert.That(pair.Moon.RemoteIp4, Is.EqualTo("127.0.0.1"));
        Assert.That(pair.Moon.LocalTcpPort, Is.EqualTo(peerRemote.Port));
        Assert.That(pair.Moon.RemoteTcpPort, Is.EqualTo(peerLocal.Port));
        Assert.That(pair.Moon.LocalIp6, Is.Null);
        Assert.That(pair.Moon.RemoteIp6, Is.Null);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AConnectedIPv4SocketReportsBothEndsAsText(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.ConnectAsync(cancellationToken);
        var peerLocal = (IPEndPoint)pair.Peer.LocalEndPoint!;
        var peerRemote = (IPEndPoint)pair.Peer.RemoteEndPoint!;

        Assert.That(pair.Moon.LocalIp4, Is.EqualTo("127.0.0.1"));
        Assert.That(pair.Moon.RemoteIp4, Is.EqualTo("127.0.0.1"));
        Assert.That(pair.Moon.LocalTcpPort, Is.EqualTo(peerRemote.Port));
        Assert.That(pair.Moon.RemoteTcpPort, Is.EqualTo(peerLocal.Port));
        Assert.That(pair.Moon.LocalIp6, Is.Null);
        Assert.That(pair.Moon.RemoteIp6, Is.Null);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnIPv6SocketReportsIp6AndNoIp4(CancellationToken cancellationToken)
    {
        IgnoreUnlessIPv6LoopbackWorks();
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken, "::1");
        var peerLocal = (IPEndPoint)pair.Peer.LocalEndPoint!;

        Assert.That(pair.Moon.LocalIp6, Is.EqualTo("::1"));
        Assert.That(pair.Moon.RemoteIp6, Is.EqualTo("::1"));
        Assert.That(pair.Moon.RemoteTcpPort, Is.EqualTo(peerLocal.Port));
        Assert.That(pair.Moon.LocalIp4, Is.Null);
        Assert.That(pair.Moon.RemoteIp4, Is.Null);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TcpConnectOverIPv6ReportsIp6(CancellationToken cancellationToken)
    {
        IgnoreUnlessIPv6LoopbackWorks();
        using SocketPair pair = await SocketPair.ConnectAsync(cancellationToken, "::1");

        Assert.That(pair.Moon.LocalIp6, Is.EqualTo("::1"));
        Assert.That(pair.Moon.RemoteIp6, Is.EqualTo("::1"));
        Assert.That(pair.Moon.RemoteTcpPort, Is.EqualTo(((IPEndPoint)pair.Peer.LocalEndPoint!).Port));
    }

    private static void IgnoreUnlessIPv6LoopbackWorks()
    {
        if (!Socket.OSSupportsIPv6)
        {
            Assert.Ignore("IPv6 is not supported here.");
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
        }
        catch (SocketException e)
        {
            Assert.Ignore($"IPv6 loopback is unavailable: {e.SocketErrorCode}.");
        }
    }
}
