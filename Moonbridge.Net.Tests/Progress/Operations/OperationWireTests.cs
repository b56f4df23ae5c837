using Microsoft.Extensions.Time.Testing;
using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Operations;

/// <summary>Interim progress and async operations on the wire, read off a plain socket (HttpClient hides 1xx).</summary>
[TestFixture]
public sealed partial class OperationWireTests
{
    private const int TestMilliseconds = 20_000;
    private const string Post = "POST /job HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n";

    private static CancellationToken Token => TestContext.CurrentContext.CancellationToken;

    /// <summary>Options that send a 102 for every report, so gated steps map to 102s one to one.</summary>
    private static OperationOptions Unthrottled() => new() { InterimInterval = TimeSpan.Zero };

    [GeneratedRegex("""^[0-9]+/[0-9]*( "([^"\\]|\\.)*")?$""")]
    private static partial Regex ProgressSyntax();

    [GeneratedRegex("^/operations/[0-9a-f]{32}$")]
    private static partial Regex StatusPath();

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task PreferProcessingGivesA102PerReportWithIncreasingNumeratorsThenTheFinalResponse()
    {
        var job = new SteppedJob(3);
        await using TestServer server = OperationRoutes.Start(Unthrottled(), job.RunAsync);
        using TestClient client = await server.ConnectAsync(Token);

        await client.SendAsync(Post + "Prefer: processing\r\n\r\n", Token);
        RawHttpResponse first = await client.ReadResponseAsync(Token);
        Assert.That(first.Status, Is.EqualTo("102 Processing"));
        string location = first.Header("Location")!;
        Assert.That(location, Does.Match(StatusPath()));
        Assert.That(first.Header("Progress"), Is.EqualTo("0/"));

        long last = 0;
        for (int step = 1; step <= 3; step++)
        {
            job.Release();
            RawHttpResponse interim = await client.ReadResponseAsync(Token);
            Assert.That(interim.StatusCode, Is.EqualTo(102));
            string progress = interim.Header("Progress")!;
            Assert.That(progress, Does.Match(ProgressSyntax()));
            long numerator = long.Parse(progress[..progress.IndexOf('/', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(numerator, Is.GreaterThan(last));
            last = numerator;
            Assert.That(progress, Is.EqualTo($"{step}/3 \"step {step}\""));
            Assert.That(interim.Header("Location"), Is.Null, "only the first 102 carries Location");
        }

        job.Release();
        RawHttpResponse final = await client.ReadResponseAsync(Token);
        Assert.That(final.StatusCode, Is.EqualTo(200));
        Assert.That(final.BodyText, Is.EqualTo("done"));
        Assert.That(final.Header("Content-Location"), Is.EqualTo(location));
        Assert.That(final.Header("Progress"), Is.EqualTo("3/3 \"step 3\""));

        // The connection stays usable after the interim responses.
        RawHttpResponse document = await GetAsync(client, location, "");
        Assert.That(document.StatusCode, Is.EqualTo(200));
        Assert.That(document.Header("Status-URI"), Is.EqualTo("200 </job>"));
        Assert.That(document.BodyText, Is.EqualTo("done"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task InterimResponsesAreRateLimitedAndTheLastStateIsKept()
    {
        const int reports = 2000;
        await using TestServer server = OperationRoutes.Start(new OperationOptions(), async (progress, ct) =>
        {
            for (int i = 1; i <= reports; i++)
            {
                await progress.ReportAsync(i, reports, null, ct);
                if (i % 200 == 0)
                {
                    await Task.Yield();
                }
            }

            return OperationResult.Text("ok");
        });
        using TestClient client = await server.ConnectAsync(Token);

        var stopwatch = Stopwatch.StartNew();
        await client.SendAsync(Post + "Prefer: processing\r\n\r\n", Token);
        var interims = new List<RawHttpResponse>();
        RawHttpResponse response;
        while ((response = await client.ReadResponseAsync(Token)).StatusCode == 102)
        {
            interims.Add(response);
        }

        stopwatch.Stop();
        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Header("Progress"), Is.EqualTo($"{reports}/{reports}"));
        int allowed = 2 + (int)(stopwatch.Elapsed.TotalMilliseconds / 100);
        Assert.That(interims, Has.Count.InRange(1, allowed), $"at most one 102 per 100 ms (took {stopwatch.ElapsedMilliseconds} ms)");
        long[] numerators = [.. interims.Select(r => long.Parse(r.Header("Progress")!.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.That(numerators, Is.Ordered.Ascending);
        Assert.That(numerators.Distinct().Count(), Is.EqualTo(numerators.Length));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithoutPreferProcessingNo102IsSent([Values("", "Prefer: respond-async, wait=30\r\n")] string prefer)
    {
        var job = new SteppedJob(2);
        await using TestServer server = OperationRoutes.Start(Unthrottled(), job.RunAsync);
        using TestClient client = await server.ConnectAsync(Token);

        await client.SendAsync(Post + prefer + "\r\n", Token);
        job.Release();
        await job.WaitForStepAsync(1, Token);
        job.Release(2);
        RawHttpResponse first = await client.ReadResponseAsync(Token);

        Assert.That(first.StatusCode, Is.EqualTo(200));
        Assert.That(first.BodyText, Is.EqualTo("done"));
        Assert.That(first.Header("Content-Location"), Does.Match(StatusPath()));
        Assert.That(first.Header("Progress"), Is.Null);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task No102IsSentToAnHttp10Client()
    {
        var job = new SteppedJob(2);
        await using TestServer server = OperationRoutes.Start(Unthrottled(), job.RunAsync);
        using TestClient client = await server.ConnectAsync(Token);

        await client.SendAsync("POST /job HTTP/1.0\r\nHost: test\r\nContent-Length: 0\r\nPrefer: processing\r\n\r\n", Token);
        job.Release();
        await job.WaitForStepAsync(1, Token);
        job.Release(2);
        ConnectionEnd end = await client.ReadToEndAsync(Token);

        Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(end.Text, Does.Not.Contain("102"));
        Assert.That(end.Text, Does.EndWith("\r\n\r\ndone"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task RespondAsyncAnswers202AfterTheWaitAndTheStatusDocumentShowsRunningThenTheResult()
    {
        var job = new SteppedJob(2);
        await using TestServer server = OperationRoutes.Start(Unthrottled(), job.RunAsync);
        using TestClient client = await server.ConnectAsync(Token);

        var stopwatch = Stopwatch.StartNew();
        await client.SendAsync(Post + "Prefer: respond-async, wait=1\r\n\r\n", Token);
        RawHttpResponse accepted = await client.ReadResponseAsync(Token);
        stopwatch.Stop();

        Assert.That(accepted.StatusCode, Is.EqualTo(202));
        Assert.That(stopwatch.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)), "wait=1 is honoured");
        string location = accepted.Header("Location")!;
        Assert.That(location, Does.Match(StatusPath()));
        Assert.That(accepted.Header("Content-Location"), Is.EqualTo(location));
        Assert.That(accepted.Header("Preference-Applied"), Is.EqualTo("respond-async"));
        using (JsonDocument state = JsonDocument.Parse(accepted.Body))
        {
            Assert.That(state.RootElement.GetProperty("state").GetString(), Is.EqualTo("running"));
            Assert.That(state.RootElement.GetProperty("location").GetString(), Is.EqualTo(location));
        }

        job.Release();
        await job.WaitForStepAsync(1, Token);
        RawHttpResponse running = await GetAsync(client, location, "");
        Assert.That(running.StatusCode, Is.EqualTo(200));
        Assert.That(running.Header("Progress"), Is.EqualTo("1/2 \"step 1\""));
        using (JsonDocument state = JsonDocument.Parse(running.Body))
        {
            Assert.That(state.RootElement.GetProperty("state").GetString(), Is.EqualTo("running"));
            Assert.That(state.RootElement.GetProperty("completed").GetInt64(), Is.EqualTo(1));
            Assert.That(state.RootElement.GetProperty("total").GetInt64(), Is.EqualTo(2));
            Assert.That(state.RootElement.GetProperty("remark").GetString(), Is.EqualTo("step 1"));
        }

        job.Release(2);
        RawHttpResponse final = await PollUntilCompletedAsync(client, location);
        Assert.That(final.Header("Status-URI"), Is.EqualTo("200 </job>"));
        Assert.That(final.Header("Content-Type"), Is.EqualTo("text/plain; charset=UTF-8"));
        Assert.That(final.Header("Progress"), Is.EqualTo("2/2 \"step 2\""));
        Assert.That(final.BodyText, Is.EqualTo("done"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task RespondAsyncWithWait0AnswersAtOnceAndAJobThatEndsInTimeIsAnsweredInline()
    {
        var job = new SteppedJob(1);
        await using TestServer server = OperationRoutes.Start(Unthrottled(), job.RunAsync);
        RawHttpResponse accepted = await OperationRoutes.RequestAsync(server, "POST", "/job", "Prefer: respond-async, wait=0\r\n", Token);
        Assert.That(accepted.StatusCode, Is.EqualTo(202));
        job.Release(2);

        await using TestServer quick = OperationRoutes.Start(Unthrottled(), (_, _) => ValueTask.FromResult(OperationResult.Json("{\"x\":1}", 201)));
        RawHttpResponse inline = await OperationRoutes.RequestAsync(quick, "POST", "/job", "Prefer: respond-async; wait=10\r\n", Token);
        Assert.That(inline.StatusCode, Is.EqualTo(201));
        Assert.That(inline.Header("Content-Type"), Is.EqualTo("application/json"));
        Assert.That(inline.Header("Content-Location"), Does.Match(StatusPath()));
        Assert.That(inline.BodyText, Is.EqualTo("{\"x\":1}"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task GetWithPreferProcessingStreams102sUntilTheFinalResponse()
    {
        var job = new SteppedJob(2);
        await using TestServer server = OperationRoutes.Start(Unthrottled(), job.RunAsync);
        RawHttpResponse accepted = await OperationRoutes.RequestAsync(server, "POST", "/job", "Prefer: respond-async, wait=0\r\n", Token);
        string location = accepted.Header("Location")!;

        using TestClient watcher = await server.ConnectAsync(Token);
        await watcher.SendAsync($"GET {location} HTTP/1.1\r\nHost: test\r\nPrefer: processing\r\n\r\n", Token);
        RawHttpResponse first = await watcher.ReadResponseAsync(Token);
        Assert.That(first.StatusCode, Is.EqualTo(102));
        Assert.That(first.Header("Progress"), Is.EqualTo("0/"));

        job.Release();
        RawHttpResponse second = await watcher.ReadResponseAsync(Token);
        Assert.That(second.StatusCode, Is.EqualTo(102));
        Assert.That(second.Header("Progress"), Is.EqualTo("1/2 \"step 1\""));

        job.Release();
        RawHttpResponse third = await watcher.ReadResponseAsync(Token);
        Assert.That(third.Header("Progress"), Is.EqualTo("2/2 \"step 2\""));

        job.Release();
        RawHttpResponse final = await watcher.ReadResponseAsync(Token);
        Assert.That(final.StatusCode, Is.EqualTo(200));
        Assert.That(final.Header("Status-URI"), Is.EqualTo("200 </job>"));
        Assert.That(final.BodyText, Is.EqualTo("done"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task DeleteRemovesTheDocumentAndCancelsARunningOperation()
    {
        var job = new SteppedJob(2);
        await using TestServer server = OperationRoutes.Start(Unthrottled(), job.RunAsync);
        RawHttpResponse accepted = await OperationRoutes.RequestAsync(server, "POST", "/job", "Prefer: respond-async, wait=0\r\n", Token);
        string location = accepted.Header("Location")!;

        RawHttpResponse deleted = await OperationRoutes.RequestAsync(server, "DELETE", location, "", Token);
        Assert.That(deleted.StatusCode, Is.EqualTo(204));
        await job.Cancelled.WaitAsync(Token);
        Assert.That((await OperationRoutes.RequestAsync(server, "GET", location, "", Token)).StatusCode, Is.EqualTo(404));
        Assert.That((await OperationRoutes.RequestAsync(server, "DELETE", location, "", Token)).StatusCode, Is.EqualTo(404));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task DeleteOfACompletedOperationGives204ThenGetGives404()
    {
        await using TestServer server = OperationRoutes.Start(Unthrottled(), (_, _) => ValueTask.FromResult(OperationResult.Text("r")));
        RawHttpResponse done = await OperationRoutes.RequestAsync(server, "POST", "/job", "", Token);
        string location = done.Header("Content-Location")!;

        Assert.That((await OperationRoutes.RequestAsync(server, "GET", location, "", Token)).StatusCode, Is.EqualTo(200));
        Assert.That((await OperationRoutes.RequestAsync(server, "DELETE", location, "", Token)).StatusCode, Is.EqualTo(204));
        Assert.That((await OperationRoutes.RequestAsync(server, "GET", location, "", Token)).StatusCode, Is.EqualTo(404));
        Assert.That((await OperationRoutes.RequestAsync(server, "POST", location, "", Token)).StatusCode, Is.EqualTo(405));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task StatusDocumentsExpireAfterTheirTimeToLive()
    {
        var clock = new FakeTimeProvider();
        await using TestServer server = OperationRoutes.Start(
            new OperationOptions { TimeProvider = clock, TimeToLive = TimeSpan.FromMinutes(10) },
            (_, _) => ValueTask.FromResult(OperationResult.Text("r")));
        string location = (await OperationRoutes.RequestAsync(server, "POST", "/job", "", Token)).Header("Content-Location")!;

        clock.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        Assert.That((await OperationRoutes.RequestAsync(server, "GET", location, "", Token)).StatusCode, Is.EqualTo(200));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That((await OperationRoutes.RequestAsync(server, "GET", location, "", Token)).StatusCode, Is.EqualTo(404));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task StatusIdsAre128RandomBitsAndUnknownIdsGive404()
    {
        await using TestServer server = OperationRoutes.Start(Unthrottled(), (_, _) => ValueTask.FromResult(OperationResult.Text("r")));
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 5; i++)
        {
            string location = (await OperationRoutes.RequestAsync(server, "POST", "/job", "", Token)).Header("Content-Location")!;
            Assert.That(location, Does.Match(StatusPath()), "32 hex digits: 128 bits");
            ids.Add(location);
        }

        Assert.That(ids, Has.Count.EqualTo(5));
        Assert.That((await OperationRoutes.RequestAsync(server, "GET", "/operations/" + Moonbridge.Net.Progress.ProgressId.NewId(), "", Token)).StatusCode, Is.EqualTo(404));
        Assert.That((await OperationRoutes.RequestAsync(server, "GET", "/operations/0", "", Token)).StatusCode, Is.EqualTo(404));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFailingOperationDeliversA500Result()
    {
        await using TestServer server = OperationRoutes.Start(Unthrottled(), (_, _) => throw new InvalidOperationException("boom"));
        RawHttpResponse response = await OperationRoutes.RequestAsync(server, "POST", "/job", "", Token);
        Assert.That(response.StatusCode, Is.EqualTo(500));
        RawHttpResponse document = await OperationRoutes.RequestAsync(server, "GET", response.Header("Content-Location")!, "", Token);
        Assert.That(document.Header("Status-URI"), Is.EqualTo("500 </job>"));
    }

    private static async Task<RawHttpResponse> GetAsync(TestClient client, string target, string headers)
    {
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: test\r\n{headers}\r\n", Token);
        return await client.ReadResponseAsync(Token);
    }

    /// <summary>Polls the status document (as a browser would) until it carries the final result.</summary>
    private static async Task<RawHttpResponse> PollUntilCompletedAsync(TestClient client, string location)
    {
        while (true)
        {
            RawHttpResponse document = await GetAsync(client, location, "");
            if (document.Header("Status-URI") is not null)
            {
                return document;
            }

            await Task.Delay(10, Token);
        }
    }
}
