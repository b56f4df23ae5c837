using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Diagnostics;

/// <summary>
/// The OpenTelemetry HTTP server metrics, observed with <see cref="MetricCollector{T}"/> on the library's instruments
/// while real clients send requests over loopback.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class HttpMetricsTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Test]
    [CancelAfter(20_000)]
    public async Task ARequestIsCountedActiveWhileItsHandlerRunsAndTimedWithMethodStatusAndProtocol(CancellationToken cancellationToken)
    {
        using var active = new MetricCollector<long>(HttpServerMetrics.ActiveRequests);
        using var duration = new MetricCollector<double>(HttpServerMetrics.RequestDuration);
        var entered = new Signal();
        var release = new Signal();
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (request, _) =>
        {
            entered.Set();
            await release.WaitAsync(cancellationToken);
            request.SendStatus(202);
            return true;
        });

        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("DELETE /thing HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        await entered.WaitAsync(cancellationToken);
        Assert.That(active.GetMeasurementSnapshot().Where(IsDelete).Sum(m => m.Value), Is.EqualTo(1), "counted active while the handler runs");

        release.Set();
        Assert.That((await client.ReadResponseAsync(cancellationToken)).StatusCode, Is.EqualTo(202));
        await duration.WaitForMeasurementsAsync(1, s_wait);
        await MetricWaits.UntilAsync(active, () => active.GetMeasurementSnapshot().Where(IsDelete).Sum(m => m.Value) == 0);

        CollectedMeasurement<double> measured = duration.GetMeasurementSnapshot().Single(IsDelete);
        Assert.Multiple(() =>
        {
            Assert.That(measured.Tags["http.response.status_code"], Is.EqualTo(202));
            Assert.That(measured.Tags["network.protocol.version"], Is.EqualTo("1.1"));
            Assert.That(measured.Tags["network.protocol.name"], Is.EqualTo("http"));
            Assert.That(measured.Tags["url.scheme"], Is.EqualTo("http"));
            Assert.That(measured.Tags.ContainsKey("error.type"), Is.False);
            Assert.That(measured.Value, Is.GreaterThan(0).And.LessThan(s_wait.TotalSeconds));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task FailedHandlersAndUnknownMethodsAreTaggedWithoutUnboundedValues(CancellationToken cancellationToken)
    {
        using var duration = new MetricCollector<double>(HttpServerMetrics.RequestDuration);
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, _) =>
        {
            if (request.Path == "fail")
            {
                throw new InvalidOperationException("the handler broke");
            }

            if (request.Path == "missing")
            {
                throw new HttpStatusException(404);
            }

            request.SendStatus(200);
            return ValueTask.FromResult(true);
        });

        Assert.That((await server.RequestAsync("GET", "/fail", cancellationToken)).StatusCode, Is.EqualTo(500));
        Assert.That((await server.RequestAsync("GET", "/missing", cancellationToken)).StatusCode, Is.EqualTo(404));
        Assert.That((await server.RequestAsync("BREW", "/pot", cancellationToken)).StatusCode, Is.EqualTo(200));
        Assert.That((await server.RequestAsync("GET", "/old", cancellationToken, version: "HTTP/1.0")).StatusCode, Is.EqualTo(200));
        await duration.WaitForMeasurementsAsync(4, s_wait);

        IReadOnlyList<CollectedMeasurement<double>> all = duration.GetMeasurementSnapshot();
        Assert.Multiple(() =>
        {
            Assert.That(all.Count(m => Equals(m.Tags["http.response.status_code"], 500) && Equals(m.Tags["error.type"], "500")), Is.EqualTo(1), "a failed handler: 500 with its error type");
            Assert.That(all.Count(m => Equals(m.Tags["http.response.status_code"], 404) && !m.Tags.ContainsKey("error.type")), Is.EqualTo(1), "a refusal is no server error");
            Assert.That(all.Count(m => Equals(m.Tags["http.request.method"], "_OTHER")), Is.EqualTo(1), "an unregistered method is _OTHER");
            Assert.That(all.Count(m => Equals(m.Tags["network.protocol.version"], "1.0")), Is.EqualTo(1));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AClientThatLeavesMidResponseEndsItsRequestWithAnErrorType(CancellationToken cancellationToken)
    {
        using var duration = new MetricCollector<double>(HttpServerMetrics.RequestDuration);
        using var active = new MetricCollector<long>(HttpServerMetrics.ActiveRequests);
        var entered = new Signal();
        await using TestServer server = TestServer.StartHttp(TestServer.BoundedHttpOptions(), async (request, token) =>
        {
            request.SendStatus(200);
            request.SendHeader("Content-Length", "1000000");
            await request.SendDataAsync(new byte[1000]);
            await request.FlushAsync();
            entered.Set();

            // Waits for the client to leave, which cancels the exchange's token.
            var gone = new TaskCompletionSource();
            using (token.Register(() => gone.TrySetResult()))
            {
                await gone.Task;
            }

            return true;
        });

        TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("GET /big HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        await entered.WaitAsync(cancellationToken);
        client.Dispose();

        await duration.WaitForMeasurementsAsync(1, s_wait);
        await MetricWaits.UntilAsync(active, () => active.GetMeasurementSnapshot().Sum(m => m.Value) == 0);
        CollectedMeasurement<double> measured = duration.GetMeasurementSnapshot().Single();
        Assert.Multiple(() =>
        {
            Assert.That(measured.Tags["http.response.status_code"], Is.EqualTo(200), "the status that was sent");
            Assert.That(measured.Tags["error.type"], Is.Not.Null, "an exchange cut short carries why");
        });
    }

    private static bool IsDelete(CollectedMeasurement<long> m) => Equals(m.Tags["http.request.method"], "DELETE");

    private static bool IsDelete(CollectedMeasurement<double> m) => Equals(m.Tags["http.request.method"], "DELETE");
}
