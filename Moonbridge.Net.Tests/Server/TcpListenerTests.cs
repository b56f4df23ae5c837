using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class TcpListenerTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task AListenerOnPortZeroIsBoundToAFreePortThatCanBeRead(CancellationToken cancellationToken)
    {
        await using TestServer host = TestServer.StartTcp(TestServer.Options(EchoHandlers.EchoAsync));

        BoundListener listener = host.Server.Listeners.Single();
        Assert.That(listener.Port, Is.Not.Null.And.InRange(1, 65535));
        Assert.That(listener.LocalEndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, listener.Port!.Value)));
        Assert.That(listener.Spec, Is.EqualTo(ListenerSpec.Tcp("127.0.0.1", 0)));

        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        Assert.That(client.Socket.Connected, Is.True);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task LinuxGivesAcceptedConnectionsTheListeningSocketsNagleSetting(CancellationToken cancellationToken)
    {
        // MoonListener turns Nagle off on the listening socket instead of on every connection it accepts: this is
        // the kernel behaviour it relies on.
        Assume.That(OperatingSystem.IsLinux(), "Only Linux is relied on for this.");
        using var listening = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        listening.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listening.Listen();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await client.ConnectAsync(listening.LocalEndPoint!, cancellationToken);
        using Socket accepted = await listening.AcceptAsync(cancellationToken);

        Assert.That(accepted.NoDelay, Is.True);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AnAsyncHandlerEchoesAClientsLine(CancellationToken cancellationToken)
    {
        await using TestServer host = TestServer.StartTcp(TestServer.Options(EchoHandlers.EchoAsync));

        string? reply = await TestClient.RoundTripAsync(host.EndPoint, "hello async", cancellationToken);

        Assert.That(reply, Is.EqualTo("hello async"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task ABlockingHandlerEchoesAClientsLine(CancellationToken cancellationToken)
    {
        await using TestServer host = TestServer.StartTcp(TestServer.Options(connect: EchoHandlers.Echo));

        string? reply = await TestClient.RoundTripAsync(host.EndPoint, "hello blocking", cancellationToken);

        Assert.That(reply, Is.EqualTo("hello blocking"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AClientSendingSeveralLinesGetsEachEchoedAndThenTheConnectionClosed(CancellationToken cancellationToken)
    {
        await using TestServer host = TestServer.StartTcp(TestServer.Options(EchoHandlers.EchoAsync));

        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await client.SendAsync("one\ntwo\nthree\n", cancellationToken);
        client.ShutdownSend();
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That((end.Text, end.Reset), Is.EqualTo(("one\ntwo\nthree\n", false)));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AConnectionWhoseHandlerReturnsIsClosedCleanlyAfterTheReply([Values] bool blocking)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                socket.Flush(socket.Read(1024, '\n').Data);
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                await socket.FlushAsync((await socket.ReadAsync(1024, '\n', ct)).Data, ct);
                return true;
            });
        await using TestServer host = TestServer.StartTcp(options);

        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await client.SendAsync("just one\n", cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That((end.Text, end.Reset), Is.EqualTo(("just one\n", false)), "a FIN after the reply, not a reset");
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task TwoLinesArrivingTogetherAreBothEchoedWhileTheConnectionStaysOpen(CancellationToken cancellationToken)
    {
        await using TestServer host = TestServer.StartTcp(TestServer.Options(EchoHandlers.EchoAsync));

        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await client.SendAsync("first\nsecond\n", cancellationToken);

        Assert.That(await client.ReadLineAsync(cancellationToken), Is.EqualTo("first"));
        Assert.That(await client.ReadLineAsync(cancellationToken), Is.EqualTo("second"));
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AnIPv6LoopbackListenerEchoesAClientsLine(CancellationToken cancellationToken)
    {
        if (!IPv6LoopbackAvailable())
        {
            Assert.Ignore("::1 is not available on this machine.");
        }

        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.Listeners.Add(ListenerSpec.Tcp("::1", 0));
        await using TestServer host = TestServer.Start(options);

        BoundListener listener = host.Server.Listeners.Single();
        Assert.That(listener.LocalEndPoint, Is.TypeOf<IPEndPoint>().With.Property(nameof(IPEndPoint.Address)).EqualTo(IPAddress.IPv6Loopback));
        Assert.That(listener.Port, Is.Not.Null.And.GreaterThan(0));

        string? reply = await TestClient.RoundTripAsync(new IPEndPoint(IPAddress.IPv6Loopback, listener.Port!.Value), "hello v6", cancellationToken);

        Assert.That(reply, Is.EqualTo("hello v6"));
    }

    private static bool IPv6LoopbackAvailable()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var probe = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            probe.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
