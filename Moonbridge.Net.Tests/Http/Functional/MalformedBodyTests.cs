using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>A request body that turns out malformed once the response has begun or is complete.</summary>
[TestFixture]
public sealed class MalformedBodyTests
{
    private const int TestMilliseconds = 15_000;

    private const string BadChunkedRequest = "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\nzz\r\n";

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AMalformedBodyReadAfterTheResponseBeganAbortsTheConnectionWithoutAnErrorResponseInsideIt(
        [Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                request.SendStatus(200);
                request.SendData(new string('x', 2000));
                request.Flush();
                _ = request.Body;
                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus(200);
                await request.SendDataAsync(new string('x', 2000));
                await request.FlushAsync();
                await request.ReadBodyAsync(ct);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(BadChunkedRequest, cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 OK\r\n"));
        Assert.That(end.Text, Does.Not.Contain("400 Bad Request"));
        Assert.That(end.Text, Does.Not.EndWith("0\r\n\r\n"), "the response is cut off, not completed");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AMalformedUnreadBodyFoundWhileDrainingClosesTheConnectionWithoutASecondResponse(
        [Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(BadChunkedRequest, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("path=upload"));
        Assert.That(end.Text, Is.Empty, "one request, one response");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AMalformedBodyReadBeforeAStatusIsAnsweredWith400([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                _ = request.Body;
                request.SendStatus(200);
                return true;
            },
            async (request, ct) =>
            {
                await request.ReadBodyAsync(ct);
                request.SendStatus(200);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(BadChunkedRequest, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("400 Bad Request\n\nEncoding error while reading chunk of request body\n"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
    }
}
