using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary><c>/progress/events</c>: the same record as <c>/progress</c>, pushed as Server-Sent Events.</summary>
[TestFixture]
public sealed class EventStreamTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AStreamFollowsARunningUploadWithReceivedNeverDecreasingAndEndsWithDoneThenEnd()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using RawUpload upload = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=sse1", 3000, 1000, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "sse1", ProgressJsonText.Running(1000, 3000), cancellationToken);
        using ProgressEventStream stream = await ProgressEventStream.OpenAsync(server.Port, "sse1", cancellationToken);

        await stream.WaitForAsync(ProgressJsonText.Running(1000, 3000), cancellationToken);
        await upload.SendBodyAsync(1000, cancellationToken);
        await stream.WaitForAsync(ProgressJsonText.Running(2000, 3000), cancellationToken);
        await upload.SendBodyAsync(1000, cancellationToken);
        UploadResult result = await upload.ReadAnswerAsync(cancellationToken);
        var (response, events) = await stream.ReadToEndAsync(cancellationToken);

        AssertFollowsToDone(events, ProgressJsonText.Done(3000, result.WireLength, 3000, RawUpload.LengthOf(result.Body)));
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Header("Content-Type"), Is.EqualTo("text/event-stream"));
        Assert.That(response.Header("Cache-Control"), Is.EqualTo("no-store"));
        Assert.That(response.Header("X-Content-Type-Options"), Is.EqualTo("nosniff"));
        Assert.That(response.BodyText, Does.EndWith("event: end\ndata: end\n\n"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AStreamOpenedBeforeTheUploadReportsUnknownThenFollowsTheUploadOnceItRegisters()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using ProgressEventStream stream = await ProgressEventStream.OpenAsync(server.Port, "early", cancellationToken);
        await stream.WaitForAsync(ProgressJsonText.Unknown, cancellationToken);

        using RawUpload upload = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=early", 2000, 800, cancellationToken);
        await stream.WaitForAsync(ProgressJsonText.Running(800, 2000), cancellationToken);
        await upload.SendBodyAsync(1200, cancellationToken);
        UploadResult result = await upload.ReadAnswerAsync(cancellationToken);
        var (_, events) = await stream.ReadToEndAsync(cancellationToken);

        Assert.That(events[0], Is.EqualTo(new ProgressEvent("progress", ProgressJsonText.Unknown)));
        Assert.That(events.Count(e => e.Data == ProgressJsonText.Unknown), Is.EqualTo(1), "unknown is reported once, not per retry");
        AssertFollowsToDone(events.Skip(1).ToList(), ProgressJsonText.Done(2000, result.WireLength, 2000, RawUpload.LengthOf(result.Body)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AStreamForAFinishedUploadSendsItsFinalStateAndEndsAtOnce()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        await RawUpload.SendAsync(server.Port, "/reject?X-Progress-Id=over", 30, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "over", ProgressJsonText.Error(413), cancellationToken);

        using ProgressEventStream stream = await ProgressEventStream.OpenAsync(server.Port, "over", cancellationToken);
        var (_, events) = await stream.ReadToEndAsync(cancellationToken);

        Assert.That(events, Is.EqualTo(new[] { new ProgressEvent("progress", ProgressJsonText.Error(413)), new ProgressEvent("end", "end") }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFastUploadIsCoalescedToAtMostOneEventPerIntervalAndTheFinalStateIsAlwaysSent()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        const int pieces = 300;
        const int piece = 1000;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using RawUpload upload = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=fast", (pieces + 1) * piece, piece, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "fast", ProgressJsonText.Running(piece, (pieces + 1) * piece), cancellationToken);
        using ProgressEventStream stream = await ProgressEventStream.OpenAsync(server.Port, "fast", cancellationToken);
        await stream.WaitForAsync(ProgressJsonText.Running(piece, (pieces + 1) * piece), cancellationToken);

        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < pieces; i++)
        {
            await upload.SendBodyAsync(piece, cancellationToken);
        }

        UploadResult result = await upload.ReadAnswerAsync(cancellationToken);
        var (_, events) = await stream.ReadToEndAsync(cancellationToken);
        stopwatch.Stop();

        string done = ProgressJsonText.Done((pieces + 1) * piece, result.WireLength, (pieces + 1) * piece, RawUpload.LengthOf(result.Body));
        Assert.That(events[^2], Is.EqualTo(new ProgressEvent("progress", done)), "the last state is never dropped");
        int allowed = 2 + (int)(stopwatch.Elapsed.TotalMilliseconds / 100);
        Assert.That(events.Count(e => e.Name == "progress"), Is.InRange(2, allowed), $"at most one event per 100 ms ({stopwatch.ElapsedMilliseconds} ms)");
        Assert.That(events.Select(e => e.Received).Where(r => r is not null), Is.Ordered.Ascending);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFinishedStreamAsksForALongReconnectionTimeAndAReconnectGets204()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=over", 30, cancellationToken);
        await routes.Store.WaitForReleaseAsync("over", cancellationToken);

        using (ProgressEventStream stream = await ProgressEventStream.OpenAsync(server.Port, "over", cancellationToken))
        {
            var (response, _) = await stream.ReadToEndAsync(cancellationToken);
            Assert.That(response.BodyText, Does.EndWith("retry: 86400000\nevent: end\ndata: end\n\n"), "EventSource waits a day, not 3 s, before re-opening");
        }

        // An EventSource that reconnects anyway sends the last id it saw; 204 stops it for good.
        using ProgressEventStream reconnect = await ProgressEventStream.OpenAsync(server.Port, "over", cancellationToken, "Last-Event-ID: 7\r\n");
        var (again, events) = await reconnect.ReadToEndAsync(cancellationToken);
        Assert.That(again.StatusCode, Is.EqualTo(204));
        Assert.That(events, Is.Empty);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AWatcherThatGoesAwayEndsItsStreamAtOnce()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using RawUpload upload = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=left", 2000, 100, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "left", ProgressJsonText.Running(100, 2000), cancellationToken);
        using (ProgressEventStream stream = await ProgressEventStream.OpenAsync(server.Port, "left", cancellationToken))
        {
            await stream.WaitForAsync(ProgressJsonText.Running(100, 2000), cancellationToken);
        }

        // No change of the upload is needed to notice: the stream's handler returns by itself.
        Assert.That(await routes.EventStreamsEnded.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.True);
        await upload.SendBodyAsync(1900, cancellationToken);
        Assert.That((await upload.ReadAnswerAsync(cancellationToken)).StatusCode, Is.EqualTo(200));
    }

    private static void AssertFollowsToDone(IReadOnlyList<ProgressEvent> events, string done)
    {
        Assert.That(events, Has.Count.GreaterThanOrEqualTo(3), "at least a running, the done and the end event");
        Assert.That(events[^1], Is.EqualTo(new ProgressEvent("end", "end")));
        Assert.That(events[^2], Is.EqualTo(new ProgressEvent("progress", done)));
        IReadOnlyList<ProgressEvent> progress = [.. events.Take(events.Count - 1)];
        Assert.That(progress.Select(e => e.Name), Is.All.EqualTo("progress"));
        Assert.That(progress.Select(e => e.Received), Is.Ordered.Ascending.And.All.Not.Null);
        Assert.That(progress.Take(progress.Count - 1).Select(e => e.Data), Is.All.StartsWith("{\"state\": \"running\""));
    }
}
