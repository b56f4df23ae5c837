using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class KeepAliveTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ThreeRequestsOnOneConnectionAreEachAnsweredAndTheConnectionStaysOpen([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        var bodies = new List<string>();
        foreach (string path in (string[])["one", "two", "three"])
        {
            await client.SendAsync($"GET /{path} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
            Assert.That(response.StatusCode, Is.EqualTo(200));
            Assert.That(response.Header("Connection"), Is.Null);
            bodies.Add(response.BodyText);
        }

        Assert.That(bodies, Is.EqualTo((string[])["path=one", "path=two", "path=three"]));
        Assert.That(client.HasInputWithin(TimeSpan.Zero), Is.False, "the connection is still open and quiet");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TenRequestsPipelinedInOneWriteAreAnsweredInOrder([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        var requests = new StringBuilder();
        for (int i = 0; i < 10; i++)
        {
            requests.Append(System.Globalization.CultureInfo.InvariantCulture, $"GET /p{i} HTTP/1.1\r\nHost: test\r\n\r\n");
        }

        await client.SendAsync(requests.ToString(), cancellationToken);
        var bodies = new List<string>();
        for (int i = 0; i < 10; i++)
        {
            bodies.Add((await client.ReadResponseAsync(cancellationToken)).BodyText);
        }

        Assert.That(bodies, Is.EqualTo(Enumerable.Range(0, 10).Select(i => $"path=p{i}")));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ARequestSentOneByteAtATimeIsAnswered([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /slowly?x=1 HTTP/1.1\r\nHost: test\r\nAccept: */*\r\n\r\n", cancellationToken, byteByByte: true);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo("path=slowly"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnHttp10RequestWithoutKeepAliveGetsALengthAndThenTheConnectionIsClosed([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /old HTTP/1.0\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.Framing, Is.EqualTo(BodyFraming.ContentLength));
        Assert.That(response.BodyText, Is.EqualTo("path=old"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Text, Is.Empty);
        Assert.That(end.Reset, Is.False);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AStreamedResponseToHttp10IsCloseDelimitedAndNeverChunked([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /stream HTTP/1.0\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.Framing, Is.EqualTo(BodyFraming.UntilClose));
        Assert.That(response.HeaderNames, Has.None.EqualTo("Transfer-Encoding").IgnoreCase.And.None.EqualTo("Content-Length").IgnoreCase);
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(response.BodyText, Is.EqualTo(new string('a', 1000) + new string('b', 1000) + new string('c', 1000)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnHttp10RequestAskingForKeepAliveKeepsTheConnectionWhenTheResponseHasALength([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /first HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync("GET /second HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.Framing, Is.EqualTo(BodyFraming.ContentLength));
        Assert.That(first.Header("Connection"), Is.EqualTo("keep-alive"));
        Assert.That(second.BodyText, Is.EqualTo("path=second"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task CloseAfterFinishAnnouncesConnectionCloseAndClosesAfterTheResponse([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                request.SendStatus(200);
                request.CloseAfterFinish();
                request.SendData("bye");
                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus(200);
                request.CloseAfterFinish();
                await request.SendDataAsync("bye");
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\nGET /ignored HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("bye"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Text, Is.Empty);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AClientsConnectionCloseIsHonouredAndARequestAfterItIsNotAnswered([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /last HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("path=last"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Text, Is.Empty);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AClientThatAskedForTheCloseIsClosedWithoutTheServerWaitingForItsEnd([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.BoundedHttpOptions();
        options.DrainTimeout = TimeSpan.FromMinutes(1);
        await using TestServer server = PathEchoHandlers.Start(form, options);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /last HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        // The client has not closed its side: a lingering close would hold the connection for the drain timeout.
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(TimeSpan.FromSeconds(10));
        while (server.Server.ActiveHandlerCount != 0)
        {
            await Task.Delay(10, bounded.Token);
        }

        Assert.That(response.BodyText, Is.EqualTo("path=last"));
        Assert.That(end.Text, Is.Empty);
        Assert.That(end.Reset, Is.False, "the close without a half-close of its own still ends with a FIN");
    }
}
