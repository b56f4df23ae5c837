using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>The header section at the start of the first delivery, and the <c>status:</c> and <c>Location:</c> fields.</summary>
[TestFixture]
public sealed class EsiHeaderSectionTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task FieldsBeforeTheBlankLineBecomeResponseHeadersAndTheRestIsBody(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("content-type: application/json\r\nX-Extra:  1 \r\n\r\n{\"a\":1}", cancellationToken);

        Assert.That(response.Status, Is.EqualTo("200 OK"));
        Assert.That(response.Header("content-type"), Is.EqualTo("application/json"));
        Assert.That(response.Header("X-Extra"), Is.EqualTo("1"));
        Assert.That(response.BodyText, Is.EqualTo("{\"a\":1}"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFirstChunkWithoutABlankLineHasNoHeadersAndIsAllBody(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("content-type: text/plain\r\nhello", cancellationToken);

        Assert.That(response.Status, Is.EqualTo("200 OK"));
        Assert.That(response.Header("Content-Type"), Is.Null);
        Assert.That(response.BodyText, Is.EqualTo("content-type: text/plain\r\nhello"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheExampleOfTheModEsiManualGives201AndJson(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("status: 201 Created\r\n content-type: application/json\r\n\r\n", cancellationToken);

        Assert.That(response.Status, Is.EqualTo("201 Created"));
        Assert.That(response.Header("content-type"), Is.EqualTo("application/json"));
        Assert.That(response.HeaderNames, Has.None.EqualTo("status").IgnoreCase);
    }

    [TestCase("status: 404", "404 Not Found")]
    [TestCase("Status: 404 Nowhere", "404 Nowhere")]
    [TestCase("STATUS:418 I'm a teapot", "418 I'm a teapot")]
    [TestCase("status: 599", "599 Unknown")]
    [TestCase("status: 405\r\nallow: GET, HEAD", "405 Method Not Allowed")]
    [CancelAfter(TestMilliseconds)]
    public async Task AStatusFieldSetsTheStatusWithOrWithoutAReason(string field, string expected, CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync(field + "\r\n\r\nbody", cancellationToken);

        Assert.That(response.Status, Is.EqualTo(expected));
        Assert.That(response.BodyText, Is.EqualTo("body"));
    }

    [TestCase("status: abc")]
    [TestCase("status: 20")]
    [TestCase("status: 2000 OK")]
    [TestCase("status: 600")]
    [TestCase("status: 100 Continue")]
    [TestCase("status: 101")]
    [TestCase("status:")]
    [TestCase("no colon here")]
    [TestCase("bad name: x")]
    [TestCase("content-length: ten")]
    [TestCase("status: 405")]
    [TestCase("status: 405 Method Not Allowed\r\ncontent-type: text/plain")]
    [CancelAfter(TestMilliseconds)]
    public async Task AnInvalidHeaderSectionIsAnsweredWith500AndLoggedAndTheSessionRefusesMore(string field, CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var thrown = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            try
            {
                await session.DeliverAsync(field + "\r\n\r\nbody", ct);
                thrown.TrySetResult(null);
            }
            catch (EsiSessionClosedException e)
            {
                thrown.TrySetResult(e);
                throw;
            }

            return null;
        }));

        RawHttpResponse first = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);
        RawHttpResponse second = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);

        Assert.That(first.StatusCode, Is.EqualTo(500));
        Assert.That(await thrown.Task.WaitAsync(cancellationToken), Is.InstanceOf<EsiSessionClosedException>());
        Assert.That(log.Has(LogLevel.Error, 601), Is.True, log.ToString());
        Assert.That(second.StatusCode, Is.EqualTo(500), "the server keeps serving");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheBlockingDeliverAnswersAnInvalidStatusWith500Too(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var thrown = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One((session, environment, input, ct) =>
        {
            try
            {
                session.Deliver("status: two hundred\r\n\r\n");
                thrown.TrySetResult(null);
            }
            catch (EsiSessionClosedException e)
            {
                thrown.TrySetResult(e);
            }

            return ValueTask.FromResult<object?>(null);
        }));

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(500));
        Assert.That(await thrown.Task.WaitAsync(cancellationToken), Is.InstanceOf<EsiSessionClosedException>());
        Assert.That(log.Has(LogLevel.Error, 601), Is.True, log.ToString());
        Assert.That(log.Has(LogLevel.Error, 606), Is.False, "a script answered for is not one that delivered nothing");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ALocationWithAFullUriRedirectsWith302(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("Location: http://example.com/next\r\n\r\n", cancellationToken);

        Assert.That(response.Status, Is.EqualTo("302 Found"));
        Assert.That(response.Header("Location"), Is.EqualTo("http://example.com/next"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AStatusAfterALocationOverridesThe302(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("location: https://example.com/new\r\nstatus: 301 Moved Permanently\r\n\r\n", cancellationToken);

        Assert.That(response.Status, Is.EqualTo("301 Moved Permanently"));
        Assert.That(response.Header("Location"), Is.EqualTo("https://example.com/new"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ALocationWithALocalPathOfAnotherFunctionIsServedInPlaceAsAGet(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var seen = new TaskCompletionSource<EsiEnvironment>(TaskCreationOptions.RunContinuationsAsynchronously);
        var module = new EsiModule("t")
        {
            {
                "f", async (session, environment, input, ct) =>
                {
                    await session.DeliverAsync("Location: /esi/t/target?z=9\r\n\r\n", ct);
                    await session.DeliverAsync("discarded", ct);
                    return null;
                }
            },
            {
                "target", async (session, environment, input, ct) =>
                {
                    seen.TrySetResult(environment);
                    await session.DeliverAsync($"content-type: text/plain\r\n\r\ntarget got {input.Text}", ct);
                    return null;
                }
            },
        };
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), module);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST /esi/t/f HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nbody", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        EsiEnvironment environment = await seen.Task.WaitAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo("target got z=9"));
        Assert.That(environment["request_method"], Is.EqualTo("GET"));
        Assert.That(environment["script_name"], Is.EqualTo("/esi/t/target?z=9"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ALocationWithALocalPathOutsideEsiBecomesAClientRedirect(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("Location: /elsewhere.html\r\n\r\n", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(302));
        Assert.That(response.Header("Location"), Is.EqualTo("/elsewhere.html"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AScriptThatRedirectsToItselfIsStoppedWith500(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(EsiServer.Delivering("Location: /esi/t/f\r\n\r\n")));

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(500));
        Assert.That(log.Has(LogLevel.Error, 609), Is.True, log.ToString());
    }

    [TestCase("status: 204", "204 No Content")]
    [TestCase("status: 205", "205 Reset Content")]
    [TestCase("status: 304", "304 Not Modified")]
    [CancelAfter(TestMilliseconds)]
    public async Task ABodylessStatusSendsNoBodyEvenWhenTheScriptDeliversOne(string field, string expected, CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(EsiServer.Delivering(field + "\r\n\r\nignored")));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\nGET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.Status, Is.EqualTo(expected));
        Assert.That(first.Body, Is.Empty);
        Assert.That(first.HeaderNames, Has.None.EqualTo("Transfer-Encoding").IgnoreCase);
        Assert.That(second.Status, Is.EqualTo(expected), "nothing of the dropped body is left on the connection");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATransferEncodingFromTheScriptIsDroppedBecauseFramingIsTheServers(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("Transfer-Encoding: gzip\r\n\r\nplain", cancellationToken);

        Assert.That(response.HeaderValues("Transfer-Encoding"), Is.EqualTo((string[])["chunked"]));
        Assert.That(response.BodyText, Is.EqualTo("plain"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AContentLengthFromTheScriptFramesTheResponse(CancellationToken cancellationToken)
    {
        RawHttpResponse response = await DeliverAsync("content-length: 5\r\n\r\nhello", cancellationToken);

        Assert.That(response.Framing, Is.EqualTo(BodyFraming.ContentLength));
        Assert.That(response.BodyText, Is.EqualTo("hello"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheNoCacheOptionAddsCacheHeadersUnlessTheScriptHasItsOwn(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        EsiOptions options = EsiServer.Options(log);
        options.NoCache = true;
        var module = new EsiModule("t")
        {
            { "plain", EsiServer.Delivering("content-type: text/plain\r\n\r\nx") },
            { "own", EsiServer.Delivering("cache-control: max-age=60\r\n\r\nx") },
        };
        await using TestServer server = EsiServer.Start(options, module);

        RawHttpResponse plain = await EsiServer.GetAsync(server, "/esi/t/plain", cancellationToken);
        RawHttpResponse own = await EsiServer.GetAsync(server, "/esi/t/own", cancellationToken);

        Assert.That(plain.Header("Cache-Control"), Is.EqualTo("no-cache"));
        Assert.That(plain.Header("Pragma"), Is.EqualTo("no-cache"));
        Assert.That(plain.Header("Expires"), Is.Not.Null);
        Assert.That(own.HeaderValues("Cache-Control"), Is.EqualTo((string[])["max-age=60"]));
    }

    private static async Task<RawHttpResponse> DeliverAsync(string output, CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(EsiServer.Delivering(output)));
        return await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);
    }
}
