using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Diagnostics;

/// <summary>Connection, transfer and event-loop instruments, observed while real clients connect over loopback.</summary>
[TestFixture]
[NonParallelizable]
public sealed class ConnectionMetricsTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Test]
    [CancelAfter(20_000)]
    public async Task AKeepAliveConnectionIsActiveThenIdleBetweenRequestsThenTimedWhenItCloses(CancellationToken cancellationToken)
    {
        string pool = "metrics-" + Guid.NewGuid().ToString("N");
        using var active = new MetricCollector<long>(ConnectionMetrics.Active);
        using var idle = new MetricCollector<long>(ConnectionMetrics.Idle);
        using var duration = new MetricCollector<double>(ConnectionMetrics.Duration);
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, _) =>
        {
            request.SendStatus(200);
            return ValueTask.FromResult(true);
        }, configure: options => options.Name = pool);

        TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).StatusCode, Is.EqualTo(200));

        // The connection waits for its next request (and perhaps waited for its first, had it not arrived yet).
        await MetricWaits.UntilAsync(idle, () => Sum(idle, pool) == 1);
        Assert.Multiple(() =>
        {
            Assert.That(Sum(active, pool), Is.EqualTo(1), "one connection served");
            Assert.That(Sum(idle, pool), Is.EqualTo(1), "idle between requests");
        });

        client.Dispose();
        await MetricWaits.UntilAsync(duration, () => duration.GetMeasurementSnapshot().Any(m => Equals(m.Tags[ConnectionMetrics.PoolTag], pool)));
        await MetricWaits.UntilAsync(idle, () => Sum(idle, pool) == 0);
        Assert.That(Sum(active, pool), Is.Zero, "closed");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AConnectionWaitingForTheOnlyWorkerIsCountedQueued(CancellationToken cancellationToken)
    {
        string pool = "queued-" + Guid.NewGuid().ToString("N");
        using var queued = new MetricCollector<long>(ConnectionMetrics.Queued);
        var entered = new Signal();
        var release = new Signal();
        // An async pool admits more connections than it has workers; a handler that is busy (not waiting for its
        // client) keeps its worker, so the next connection waits for it.
        ListenOptions options = TestServer.Options(connectAsync: async (socket, _) =>
        {
            entered.Set();
            await release.WaitAsync(cancellationToken);
            return true;
        });
        options.Name = pool;
        options.PreFork = 1;
        options.MinFork = 1;
        options.MaxFork = 1;
        options.MaxConnections = 8;
        await using TestServer server = TestServer.StartTcp(options);

        using TestClient first = await server.ConnectAsync(cancellationToken);
        await entered.WaitAsync(cancellationToken);
        using TestClient second = await server.ConnectAsync(cancellationToken);
        await MetricWaits.UntilAsync(queued, () => Sum(queued, pool) == 1);

        release.Set();
        await MetricWaits.UntilAsync(queued, () => Sum(queued, pool) == 0);
        Assert.That(queued.GetMeasurementSnapshot().Count(m => Equals(m.Tags[ConnectionMetrics.PoolTag], pool)), Is.EqualTo(2), "queued once, then served once the worker was free");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task BytesReceivedAndSentAreCountedByDirection(CancellationToken cancellationToken)
    {
        using var bytes = new MetricCollector<long>(TransferMetrics.Bytes);
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (request, _) =>
        {
            request.SendStatus(200);
            await request.SendDataAsync(new byte[100_000]);
            return true;
        });

        const string Request = "GET /bytes HTTP/1.1\r\nHost: test\r\n\r\n";
        RawHttpResponse response = await server.RequestAsync("GET", "/bytes", cancellationToken);
        Assert.That(response.Body.Length, Is.EqualTo(100_000));

        // Other servers of the test run may add to the counters, never take away.
        Assert.Multiple(() =>
        {
            Assert.That(bytes.GetMeasurementSnapshot().Where(m => Equals(m.Tags["network.io.direction"], "receive")).Sum(m => m.Value), Is.GreaterThanOrEqualTo(Request.Length));
            Assert.That(bytes.GetMeasurementSnapshot().Where(m => Equals(m.Tags["network.io.direction"], "transmit")).Sum(m => m.Value), Is.GreaterThanOrEqualTo(100_000));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task EventLoopTurnsRecordTheirLagAndTheirEvents(CancellationToken cancellationToken)
    {
        if (EventLoopGroup.Resolve(TransportKind.Auto) != TransportKind.EventLoop)
        {
            Assert.Ignore("the event-loop instruments describe the event-loop transport; this run uses the socket engine");
        }

        using var lag = new MetricCollector<double>(EventLoopMetrics.Lag);
        using var events = new MetricCollector<int>(EventLoopMetrics.EventsPerWakeup);
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, _) =>
        {
            request.SendStatus(204);
            return ValueTask.FromResult(true);
        });

        Assert.That((await server.RequestAsync("GET", "/", cancellationToken)).StatusCode, Is.EqualTo(204));
        await lag.WaitForMeasurementsAsync(1, s_wait);
        await events.WaitForMeasurementsAsync(1, s_wait);
        Assert.Multiple(() =>
        {
            Assert.That(lag.GetMeasurementSnapshot().All(m => m.Value >= 0 && m.Tags.ContainsKey(EventLoopMetrics.LoopTag)));
            Assert.That(events.GetMeasurementSnapshot().Any(m => m.Value >= 1), "a turn that handled the request's input");
        });
    }

    private static long Sum(MetricCollector<long> collector, string pool)
        => collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags[ConnectionMetrics.PoolTag], pool)).Sum(m => m.Value);
}
