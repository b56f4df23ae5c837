using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>What Listen reports and counts as a pool starts: a connection limit above the open-file limit is
/// warned about, and a worker-process pool with nothing to pre-fork binds in the parent and starts no process.</summary>
[TestFixture]
public sealed class PoolStartTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AConnectionLimitAboveTheOpenFileLimitIsWarnedAboutAndThePoolServes(CancellationToken cancellationToken)
    {
        Assume.That(DescriptorReserve.Limit, Is.LessThan(int.MaxValue), "the open-file limit is unlimited or unknown here");
        var log = new CapturingLoggerFactory();
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.Name = "above-the-limit";
        options.MaxConnections = DescriptorReserve.Limit + 1;
        options.LoggerFactory = log;
        await using TestServer host = TestServer.StartTcp(options);

        Assert.That(
            log.Warnings,
            Has.One.Contains($"Pool above-the-limit: the connection limit {DescriptorReserve.Limit + 1} exceeds the process's open-file limit {DescriptorReserve.Limit}"));
        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "served all the same", cancellationToken), Is.EqualTo("served all the same"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AConnectionLimitWithinTheOpenFileLimitIsNotWarnedAbout(CancellationToken cancellationToken)
    {
        var log = new CapturingLoggerFactory();
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.MaxConnections = 8;
        options.LoggerFactory = log;
        await using TestServer host = TestServer.StartTcp(options);

        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "within", cancellationToken), Is.EqualTo("within"));
        Assert.That(log.Warnings, Is.Empty);
    }

    [Test]
    [Platform("Linux")]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AWorkerProcessPoolWithoutPreForkBindsInTheParentAndStartsNoProcessUntilAConnectionComes(CancellationToken cancellationToken)
    {
        var log = new CapturingLoggerFactory();
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.WorkerProcesses = true;
        options.PreFork = 0;
        options.MinFork = 0;
        options.MaxFork = 1;
        options.LoggerFactory = log;
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));

        // No client connects: a connection would start this test host again as a worker process.
        MoonbridgeServer server = MoonbridgeServer.Listen(options);
        int port;
        try
        {
            Assert.That(server.IsWorkerProcess, Is.False, "the process that called Listen is the parent");
            Assert.That(server.Options, Is.SameAs(options));
            port = server.Listeners[0].Port ?? 0;
            Assert.That(port, Is.Positive, "the parent binds the listener");
            Assert.That(server.WorkerCount, Is.Zero, "no worker process before a connection");
            Assert.That(server.IdleWorkerCount, Is.Zero);
        }
        finally
        {
            await server.StopAsync().WaitAsync(TestTimeouts.Wait, cancellationToken);
        }

        Assert.That(server.WorkerCount, Is.Zero);
        Assert.That(log.Errors, Is.Empty);
        Assert.That(
            async () => await TestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken),
            Throws.InstanceOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused),
            "stopping closed the parent's listener");
    }
}
