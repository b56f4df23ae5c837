using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class ResponseFramingTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AResponseFinishedWhileStillBufferedGetsAContentLengthAndADate([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /small HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.Framing, Is.EqualTo(BodyFraming.ContentLength));
        Assert.That(response.Header("Content-Length"), Is.EqualTo("10"));
        Assert.That(response.BodyText, Is.EqualTo("path=small"));
        Assert.That(response.HeaderNames, Has.None.EqualTo("Transfer-Encoding").IgnoreCase);
        Assert.That(
            DateTimeOffset.ParseExact(response.Header("Date") ?? "", "r", CultureInfo.InvariantCulture),
            Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task Ten500BytePiecesGoOutInChunksOfAtLeastTheMinimumOutputChunkSize([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.MinimumOutputChunkSize = 1024;
        byte[] piece = [.. Enumerable.Repeat((byte)'x', 500)];
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                request.SendStatus("200 OK");
                for (int i = 0; i < 10; i++)
                {
                    request.SendData(piece);
                }

                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus("200 OK");
                for (int i = 0; i < 10; i++)
                {
                    await request.SendDataAsync(piece);
                }

                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.Framing, Is.EqualTo(BodyFraming.Chunked));
        Assert.That(response.ChunkSizes, Is.EqualTo((int[])[0x5dc, 0x5dc, 0x5dc, 0x1f4, 0]));
        Assert.That(response.Body, Has.Length.EqualTo(5000).And.All.EqualTo((byte)'x'));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AContentLengthSetByTheHandlerIsUsedAndTheDataStreamsWithoutChunks([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        byte[] piece = [.. Enumerable.Repeat((byte)'y', 500)];
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                request.SendStatus("200 OK");
                request.SendHeader("Content-Length", request.Path == "short" ? "5001" : "5000");
                for (int i = 0; i < 10; i++)
                {
                    request.SendData(piece);
                }

                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus("200 OK");
                request.SendHeader("Content-Length", request.Path == "short" ? "5001" : "5000");
                for (int i = 0; i < 10; i++)
                {
                    await request.SendDataAsync(piece);
                }

                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /exact HTTP/1.1\r\nHost: test\r\n\r\nGET /short HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse exact = await client.ReadResponseAsync(cancellationToken);

        Assert.That(exact.Framing, Is.EqualTo(BodyFraming.ContentLength));
        Assert.That(exact.HeaderValues("Content-Length"), Is.EqualTo((string[])["5000"]));
        Assert.That(exact.HeaderNames, Has.None.EqualTo("Transfer-Encoding").IgnoreCase);
        Assert.That(exact.Body, Has.Length.EqualTo(5000));
        Assert.That(async () => await client.ReadResponseAsync(cancellationToken), Throws.InstanceOf<IOException>(), "fewer bytes than announced abort the connection");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task FlushSendsWhatIsGatheredAsAChunkBeforeTheResponseIsFinished([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var firstChunkSeen = new Signal();
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                request.SendStatus("200 OK");
                request.SendData("early");
                request.Flush();
                firstChunkSeen.Wait();
                request.SendData("late");
                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus("200 OK");
                await request.SendDataAsync("early");
                await request.FlushAsync();
                await firstChunkSeen.WaitAsync(ct);
                await request.SendDataAsync("late");
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        await client.WaitForAsync("\r\n\r\n5\r\nearly\r\n", cancellationToken);
        firstChunkSeen.Set();
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.ChunkSizes, Is.EqualTo((int[])[5, 4, 0]));
        Assert.That(response.BodyText, Is.EqualTo("earlylate"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHeadRequestGetsOnlyTheHeaderSectionWithTheLengthTheBodyWouldHave(
        [Values] HandlerForm form, [Values("small", "stream")] string path)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync($"HEAD /{path} HTTP/1.1\r\nHost: test\r\n\r\nGET /next HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse head = await client.ReadResponseAsync(cancellationToken, forHead: true);
        RawHttpResponse next = await client.ReadResponseAsync(cancellationToken);

        Assert.That(head.StatusCode, Is.EqualTo(200));
        Assert.That(head.Header("Content-Length"), Is.EqualTo(path == "small" ? "10" : "3000"));
        Assert.That(head.HeaderNames, Has.None.EqualTo("Transfer-Encoding").IgnoreCase);
        Assert.That(next.BodyText, Is.EqualTo("path=next"), "no body bytes came between the two responses");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A204Or304ResponseHasNeitherBodyNorFramingHeaders([Values] HandlerForm form, [Values(204, 304)] int status)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartStatusServer(form, status);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /bodyless HTTP/1.1\r\nHost: test\r\n\r\nGET /next HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse bodyless = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse next = await client.ReadResponseAsync(cancellationToken);

        Assert.That(bodyless.StatusCode, Is.EqualTo(status));
        Assert.That(bodyless.HeaderNames, Has.None.EqualTo("Content-Length").IgnoreCase.And.None.EqualTo("Transfer-Encoding").IgnoreCase);
        Assert.That(next.BodyText, Is.EqualTo("next"), "no body bytes came between the two responses");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A205ResponseGetsContentLengthZero([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartStatusServer(form, 205);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /bodyless HTTP/1.1\r\nHost: test\r\n\r\nGET /next HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse reset = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse next = await client.ReadResponseAsync(cancellationToken);

        Assert.That(reset.StatusCode, Is.EqualTo(205));
        Assert.That(reset.HeaderValues("Content-Length"), Is.EqualTo((string[])["0"]));
        Assert.That(next.BodyText, Is.EqualTo("next"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task SendingDataWithA205StatusThrowsInTheHandler()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        string? caught = null;
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), request =>
        {
            request.SendStatus(205);
            try
            {
                request.SendData("not allowed");
            }
            catch (InvalidOperationException e)
            {
                caught = e.GetType().Name;
            }

            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\nGET /next HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(caught, Is.EqualTo(nameof(InvalidOperationException)));
        Assert.That(first.HeaderValues("Content-Length"), Is.EqualTo((string[])["0"]));
        Assert.That(second.StatusCode, Is.EqualTo(205), "the body did not leak into the next response");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnInterim103ResponseGoesOutBeforeTheFinal200([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.StaticHeaders.Add(new("Server", "functional-test"));
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                request.SendStatus("103 Early Hints");
                request.SendHeader("Link", "</style.css>; rel=preload; as=style");
                request.FinishHeaders();
                request.SendStatus("200 OK");
                request.SendData("final");
                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus("103 Early Hints");
                request.SendHeader("Link", "</style.css>; rel=preload; as=style");
                await request.FinishHeadersAsync();
                request.SendStatus("200 OK");
                await request.SendDataAsync("final");
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse interim = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse final = await client.ReadResponseAsync(cancellationToken);

        Assert.That(interim.Status, Is.EqualTo("103 Early Hints"));
        Assert.That(interim.Header("Link"), Is.EqualTo("</style.css>; rel=preload; as=style"));
        Assert.That(interim.Header("Server"), Is.EqualTo("functional-test"));
        Assert.That(final.StatusCode, Is.EqualTo(200));
        Assert.That(final.Header("Link"), Is.Null);
        Assert.That(final.BodyText, Is.EqualTo("final"));
    }

    private static TestServer StartStatusServer(HandlerForm form, int status)
        => TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                if (request.Path == "next")
                {
                    request.SendStatus(200);
                    request.SendData("next");
                }
                else
                {
                    request.SendStatus(status);
                }

                return true;
            },
            async (request, ct) =>
            {
                if (request.Path == "next")
                {
                    request.SendStatus(200);
                    await request.SendDataAsync("next");
                }
                else
                {
                    request.SendStatus(status);
                    await request.FinishAsync();
                }

                return true;
            });
}
