using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class HandlerFailureTests
{
    private const int TestMilliseconds = 15_000;

    private const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n";

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHeaderValueWithCRLFThrowsArgumentExceptionInTheHandlerAndIsNeverSent([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartReportingServer(form, request =>
        {
            request.SendStatus(200);
            request.SendHeader("X-Injected", "a\r\nSet-Cookie: evil=1");
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo(nameof(ArgumentException)));
        Assert.That(response.HeaderNames, Has.None.EqualTo("Set-Cookie").IgnoreCase.And.None.EqualTo("X-Injected").IgnoreCase);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHeaderAfterBodyDataThrowsInvalidOperationExceptionEvenWhileTheDataIsGathered([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartReportingServer(form, request =>
        {
            request.SendStatus(200);
            request.SendData("x");
            request.SendHeader("X-Late", "1");
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("x" + nameof(InvalidOperationException)));
        Assert.That(response.HeaderNames, Has.None.EqualTo("X-Late").IgnoreCase);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHeaderAfterEmptyBodyDataThrowsTooAndALaterHeaderBeforeDataDoesNot([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartReportingServer(form, request =>
        {
            request.SendStatus(200);
            request.SendHeader("X-Early", "1");
            request.SendData(string.Empty);
            request.SendHeader("X-Late", "1");
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo(nameof(InvalidOperationException)));
        Assert.That(response.Header("X-Early"), Is.EqualTo("1"));
        Assert.That(response.HeaderNames, Has.None.EqualTo("X-Late").IgnoreCase);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ASecondStatusThrowsInvalidOperationExceptionInTheHandler([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartReportingServer(form, request =>
        {
            request.SendStatus(200);
            request.SendStatus(404);
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo(nameof(InvalidOperationException)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatThrowsBeforeAStatusGetsA500AndTheConnectionClosed([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /before HTTP/1.1\r\nHost: test\r\n\r\nGET /ok HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("500 Internal Server Error"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(response.Header("Content-Type"), Does.StartWith("text/plain"));
        Assert.That(response.BodyText, Is.EqualTo("500 Internal Server Error\n\nThe request handler failed.\n"));
        Assert.That(end.Text, Is.Empty, "the pipelined request after the failure is not answered");
        await AssertServerStillServesAsync(server, cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatReturnsWithoutAStatusGetsA500([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /nothing HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(500));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatThrowsHttpStatusExceptionGetsThatStatusWithItsReason([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /status HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("409 Conflict"));
        Assert.That(response.BodyText, Is.EqualTo("409 Conflict\n\nAlready there\n"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerHttpStatusExceptionForARequestReadWholeKeepsTheConnection([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(
            "GET /status HTTP/1.1\r\nHost: test\r\n\r\n"
            + "POST /status-after-body HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello"
            + "GET /ok HTTP/1.1\r\nHost: test\r\n\r\n",
            cancellationToken);
        RawHttpResponse refused = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse refusedAfterBody = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse next = await client.ReadResponseAsync(cancellationToken);

        Assert.That(refused.Status, Is.EqualTo("409 Conflict"));
        Assert.That(refused.Header("Connection"), Is.Null, "an ordinary refusal does not close the connection");
        Assert.That(refused.Header("Content-Type"), Does.StartWith("text/plain"));
        Assert.That(refused.BodyText, Is.EqualTo("409 Conflict\n\nAlready there\n"));
        Assert.That((refusedAfterBody.StatusCode, refusedAfterBody.Header("Connection")), Is.EqualTo((404, (string?)null)));
        Assert.That(next.BodyText, Is.EqualTo("ok"), "the request after the refusals is served on the same connection");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerHttpStatusExceptionWithASmallBodyUnreadDrainsItAndKeepsTheConnection([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(
            "POST /status HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\n\r\nhello"
            + "POST /status HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
            + "GET /ok HTTP/1.1\r\nHost: test\r\n\r\n",
            cancellationToken);
        RawHttpResponse afterLength = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse afterChunked = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse next = await client.ReadResponseAsync(cancellationToken);

        Assert.That((afterLength.Status, afterLength.Header("Connection")), Is.EqualTo(("409 Conflict", (string?)null)));
        Assert.That((afterChunked.Status, afterChunked.Header("Connection")), Is.EqualTo(("409 Conflict", (string?)null)));
        Assert.That(next.BodyText, Is.EqualTo("ok"), "the unread bodies were skipped by their framing");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerHttpStatusExceptionWithMoreBodyLeftThanCanBeDrainedAnnouncesTheClose([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.RequestBodyDrainLimit = 10;
        await using TestServer server = StartFailingServer(form, options);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST /status HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\n" + new string('b', 100), cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("409 Conflict"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Text, Is.Empty);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerHttpStatusExceptionAfterReadingAMalformedBodyClosesTheConnection([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(
            "POST /status-after-bad-body HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n" + Smuggled,
            cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("422 Unprocessable Content"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"), "where the next request would begin is in doubt");
        Assert.That(end.Text, Is.Empty, "nothing after the malformed body is read as a request");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerHttpStatusExceptionAfterAStatusReplacesItAndKeepsTheConnection([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /status-after-status HTTP/1.1\r\nHost: test\r\n\r\nGET /ok HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse refused = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse next = await client.ReadResponseAsync(cancellationToken);

        Assert.That(refused.Status, Is.EqualTo("404 Not Found"));
        Assert.That(refused.HeaderNames, Has.None.EqualTo("X-Begun").IgnoreCase, "nothing of the abandoned response is sent");
        Assert.That(refused.BodyText, Is.EqualTo("404 Not Found\n\nNo such thing\n"));
        Assert.That(next.BodyText, Is.EqualTo("ok"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFaultyRequestThrowsIOExceptionWhenUsedAgain([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new Signal();
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                started.Set();
                outcome.TrySetResult(UseAfterFailure(request, () => _ = request.Body));
                return true;
            },
            async (request, ct) =>
            {
                string seen;
                started.Set();
                try
                {
                    await request.ReadBodyAsync(ct);
                    seen = "read";
                }
                catch (Exception e) when (e is IOException or HttpStatusException)
                {
                    seen = UseAfterFailure(request, () => { });
                }

                outcome.TrySetResult(seen);
                return true;
            });
        using (TestClient client = await server.ConnectAsync(cancellationToken))
        {
            await client.SendAsync("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 100\r\n\r\npart", cancellationToken);
            await started.WaitAsync(cancellationToken);
            client.Reset();
        }

        string seen = await outcome.Task.WaitAsync(Signal.Limit, cancellationToken);

        Assert.That(seen, Is.EqualTo("faulty; SendStatus: IOException; SendHeader: IOException; SendData: IOException; Finish: IOException"));
    }

    /// <summary>After <paramref name="fail"/> (or a failure already caught), tries each response method and names what it threw.</summary>
    private static string UseAfterFailure(HttpRequest request, Action fail)
    {
        try
        {
            fail();
        }
        catch (Exception e) when (e is IOException or HttpStatusException)
        {
        }

        return string.Join("; ", [
            request.Faulty ? "faulty" : "not faulty",
            "SendStatus: " + Caught(() => request.SendStatus(200)),
            "SendHeader: " + Caught(() => request.SendHeader("X-After", "1")),
            "SendData: " + Caught(() => request.SendData("x")),
            "Finish: " + Caught(request.Finish),
        ]);

        static string Caught(Action use)
        {
            try
            {
                use();
                return "none";
            }
            catch (Exception e)
            {
                return e.GetType().Name;
            }
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatThrowsAfterPartOfTheResponseWentOutHasItsConnectionAborted([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /after HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);

        Assert.That(async () => await client.ReadResponseAsync(cancellationToken), Throws.InstanceOf<IOException>());
        await AssertServerStillServesAsync(server, cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatThrowsAfterOnlySettingTheStatusHasItsConnectionAbortedWithoutAResponse([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartFailingServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /status-only HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(end.Text, Is.Empty);
        await AssertServerStillServesAsync(server, cancellationToken);
    }

    private static async Task AssertServerStillServesAsync(TestServer server, CancellationToken cancellationToken)
    {
        using TestClient other = await server.ConnectAsync(cancellationToken);
        await other.SendAsync("GET /ok HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await other.ReadResponseAsync(cancellationToken);
        Assert.That(response.BodyText, Is.EqualTo("ok"), "another connection is served as usual");
    }

    /// <summary>Runs <paramref name="misuse"/> and answers 200 with the name of the exception it threw, or "none".</summary>
    private static TestServer StartReportingServer(HandlerForm form, Action<HttpRequest> misuse)
    {
        return TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                string caught = Run(request);
                EnsureStatus(request);
                request.SendData(caught);
                return true;
            },
            async (request, ct) =>
            {
                string caught = Run(request);
                EnsureStatus(request);
                await request.SendDataAsync(caught);
                return true;
            });

        string Run(HttpRequest request)
        {
            try
            {
                misuse(request);
                return "none";
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException)
            {
                return e.GetType().Name;
            }
        }

        static void EnsureStatus(HttpRequest request)
        {
            if (!request.StatusSent)
            {
                request.SendStatus(200);
            }
        }
    }

    /// <summary>A handler that fails in the way its path names, and answers "ok" on /ok.</summary>
    private static TestServer StartFailingServer(HandlerForm form, HttpOptions? options = null) => TestServer.StartHttp(
        form,
        options ?? TestServer.HttpOptions(),
        request =>
        {
            switch (request.Path)
            {
                case "ok":
                    request.SendStatus(200);
                    request.SendData("ok");
                    return true;
                case "after":
                    request.SendStatus(200);
                    request.SendData(new string('x', 4096));
                    request.Flush();
                    throw new InvalidOperationException("failure after the response began");
                default:
                    FailWithoutOutput(request);
                    return true;
            }
        },
        async (request, ct) =>
        {
            await Task.Yield();
            switch (request.Path)
            {
                case "ok":
                    request.SendStatus(200);
                    await request.SendDataAsync("ok");
                    return true;
                case "after":
                    request.SendStatus(200);
                    await request.SendDataAsync(new string('x', 4096));
                    await request.FlushAsync();
                    throw new InvalidOperationException("failure after the response began");
                default:
                    FailWithoutOutput(request);
                    return true;
            }
        });

    private static void FailWithoutOutput(HttpRequest request)
    {
        switch (request.Path)
        {
            case "before":
                throw new InvalidOperationException("failure before a status");
            case "status":
                throw new HttpStatusException(409, "Already there");
            case "status-after-body":
                _ = request.Body;
                throw new HttpStatusException(404);
            case "status-after-bad-body":
                try
                {
                    _ = request.Body;
                }
                catch (Exception e)
                {
                    throw new HttpStatusException(422, "Unreadable body: " + e.Message);
                }

                throw new HttpStatusException(500, "The body was expected to be malformed");
            case "status-after-status":
                request.SendStatus(200);
                request.SendHeader("X-Begun", "1");
                request.SendData("begun");
                throw new HttpStatusException(404, "No such thing");
            case "status-only":
                request.SendStatus(200);
                throw new InvalidOperationException("failure after the status");
            default:
                return; // "nothing": returns without a status
        }
    }
}
