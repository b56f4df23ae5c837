using System.Collections.Concurrent;
using System.Diagnostics;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Diagnostics;

/// <summary>One server activity per request from the <c>Moonbridge.Net</c> source, continuing the client's W3C trace.</summary>
[TestFixture]
[NonParallelizable]
public sealed class TracingTests
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string ParentSpanId = "b7ad6b7169203331";

    [Test]
    [CancelAfter(20_000)]
    public async Task ARequestWithATraceparentRunsItsHandlerInsideAServerActivityOfThatTrace(CancellationToken cancellationToken)
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var stops = new SemaphoreSlim(0);
        using ActivityListener listener = Listen(stopped, stops);
        var seenByHandler = new ConcurrentQueue<string?>();
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, _) =>
        {
            seenByHandler.Enqueue(Activity.Current?.TraceId.ToHexString());
            request.SendStatus(request.Path == "missing" ? 503 : 200);
            return ValueTask.FromResult(true);
        });

        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(
            $"GET /traced?x=1 HTTP/1.1\r\nHost: example.test\r\ntraceparent: 00-{TraceId}-{ParentSpanId}-01\r\nbaggage: tenant=blue\r\nUser-Agent: tests/1\r\n\r\n",
            cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).StatusCode, Is.EqualTo(200));

        // A second request on the same connection, with no traceparent: a trace of its own, not a child of the first.
        await client.SendAsync("GET /missing HTTP/1.1\r\nHost: example.test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).StatusCode, Is.EqualTo(503));

        // A response may reach the client before its exchange's activity stops (as with Kestrel): wait for the stops.
        Activity[] activities;
        while ((activities = [.. stopped.Where(a => a.GetTagItem("server.address") as string == "example.test")]).Length < 2)
        {
            await stops.WaitAsync(cancellationToken);
        }

        Assert.That(activities, Has.Length.EqualTo(2));
        Activity traced = activities.Single(a => a.GetTagItem("url.path") as string == "/traced");
        Activity untraced = activities.Single(a => a.GetTagItem("url.path") as string == "/missing");
        Assert.Multiple(() =>
        {
            Assert.That(traced.Kind, Is.EqualTo(ActivityKind.Server));
            Assert.That(traced.DisplayName, Is.EqualTo("GET"));
            Assert.That(traced.TraceId.ToHexString(), Is.EqualTo(TraceId));
            Assert.That(traced.ParentSpanId.ToHexString(), Is.EqualTo(ParentSpanId));
            Assert.That(traced.HasRemoteParent, Is.True);
            Assert.That(traced.GetBaggageItem("tenant"), Is.EqualTo("blue"));
            Assert.That(traced.GetTagItem("http.request.method"), Is.EqualTo("GET"));
            Assert.That(traced.GetTagItem("url.query"), Is.EqualTo("x=1"));
            Assert.That(traced.GetTagItem("http.response.status_code"), Is.EqualTo(200));
            Assert.That(traced.GetTagItem("user_agent.original"), Is.EqualTo("tests/1"));
            Assert.That(traced.GetTagItem("client.address"), Is.EqualTo("127.0.0.1"));
            Assert.That(traced.Status, Is.EqualTo(ActivityStatusCode.Unset));
            Assert.That(seenByHandler, Does.Contain(TraceId), "the handler runs inside the request's activity");

            Assert.That(untraced.TraceId.ToHexString(), Is.Not.EqualTo(TraceId));
            Assert.That(untraced.ParentSpanId, Is.EqualTo(default(ActivitySpanId)), "a root of its own");
            Assert.That(untraced.Status, Is.EqualTo(ActivityStatusCode.Error), "a 5xx is an error of the server's span");
            Assert.That(untraced.GetTagItem("error.type"), Is.EqualTo("503"));
        });
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task NoActivityIsMadeWhileNobodyListens(CancellationToken cancellationToken)
    {
        var seenByHandler = new ConcurrentQueue<bool>();
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, _) =>
        {
            seenByHandler.Enqueue(Activity.Current is null);
            request.SendStatus(200);
            return ValueTask.FromResult(true);
        });

        Assume.That(Telemetry.Source.HasListeners(), Is.False, "another listener in this process");
        Assert.That((await server.RequestAsync("GET", "/", cancellationToken, extraHeaders: $"traceparent: 00-{TraceId}-{ParentSpanId}-01\r\n")).StatusCode, Is.EqualTo(200));
        Assert.That(seenByHandler.ToArray(), Has.Length.EqualTo(1).And.All.True);
    }

    private static ActivityListener Listen(ConcurrentQueue<Activity> stopped, SemaphoreSlim stops)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MoonbridgeTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                stopped.Enqueue(activity);
                stops.Release();
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
