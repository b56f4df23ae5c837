using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.Tests.Uploads;

namespace Moonbridge.Net.Tests.Diagnostics;

/// <summary>Resumable-upload counts, observed while a client creates, interrupts, resumes and completes an upload.</summary>
[TestFixture]
[NonParallelizable]
public sealed class UploadMetricsTests
{
    [Test]
    [CancelAfter(30_000)]
    public async Task AnUploadSentInTwoAppendsIsCreatedResumedAndCompletedOnceAndThenExpires(CancellationToken cancellationToken)
    {
        using var created = new MetricCollector<long>(UploadMetrics.Created);
        using var running = new MetricCollector<long>(UploadMetrics.Running);
        using var resumed = new MetricCollector<long>(UploadMetrics.Resumed);
        using var completed = new MetricCollector<long>(UploadMetrics.Completed);
        using var expired = new MetricCollector<long>(UploadMetrics.Expired);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using UploadTestServer server = UploadTestServer.Start(options =>
        {
            options.TimeProvider = clock;
            options.SweepInterval = TimeSpan.Zero;
        });

        string path = await server.CreateAsync(10, cancellationToken);
        Assert.That((await server.AppendAsync(path, 0, complete: false, "abcd"u8.ToArray(), cancellationToken)).Final.StatusCode, Is.EqualTo(204));
        Assert.That((await server.AppendAsync(path, 4, complete: true, "efghij"u8.ToArray(), cancellationToken)).Final.StatusCode, Is.EqualTo(200));

        clock.Advance(TimeSpan.FromDays(2));
        int removed = await server.Uploads.RemoveExpiredAsync(cancellationToken);
        Assert.That(removed, Is.EqualTo(1));

        Assert.Multiple(() =>
        {
            Assert.That(Values(created), Is.EqualTo(new[] { (1L, "ietf") }));
            // The creating request (content or not) and both appends each counted while they ran.
            Assert.That(Values(running).Count(v => v == (1L, "ietf")), Is.EqualTo(3));
            Assert.That(Values(running).Sum(v => v.Value), Is.Zero, "none running now");
            Assert.That(Values(resumed), Is.EqualTo(new[] { (1L, "ietf") }), "the second append continued from offset 4");
            Assert.That(Values(completed), Is.EqualTo(new[] { (1L, "ietf") }));
            Assert.That(expired.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        });
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ATrackedRequestIsCounted(CancellationToken cancellationToken)
    {
        using var tracked = new MetricCollector<long>(UploadMetrics.Tracked);
        var tracker = new Moonbridge.Net.Progress.ProgressTracker();
        await using Infrastructure.TestServer server = Infrastructure.TestServer.StartHttp(Infrastructure.TestServer.HttpOptions(), async (request, token) =>
        {
            _ = await tracker.TrackAsync(request, token);
            _ = await request.ReadBodyAsync(token);
            request.SendStatus(200);
            return true;
        });

        using Infrastructure.TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("POST /upload?X-Progress-Id=metrics-1 HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).StatusCode, Is.EqualTo(200));
        Assert.That(tracked.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
    }

    private static (long Value, string? Protocol)[] Values(MetricCollector<long> collector)
        => [.. collector.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags[UploadMetrics.ProtocolTag] as string))];
}
