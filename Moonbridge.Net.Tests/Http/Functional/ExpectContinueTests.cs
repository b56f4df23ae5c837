using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class ExpectContinueTests
{
    private const int TestMilliseconds = 15_000;

    /// <summary>How long the test watches for a 100 Continue that must not come yet.</summary>
    private static readonly TimeSpan s_quietWindow = TimeSpan.FromMilliseconds(300);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task The100ContinueIsSentOnlyWhenTheHandlerStartsReadingTheBody([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var entered = new Signal();
        var release = new Signal();
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                entered.Set();
                release.Wait();
                byte[] body = request.Body;
                request.SendStatus(200);
                request.SendData(body);
                return true;
            },
            async (request, ct) =>
            {
                entered.Set();
                await release.WaitAsync(ct);
                byte[] body = await request.ReadBodyAsync(ct);
                request.SendStatus(200);
                await request.SendDataAsync(body);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("PUT /file HTTP/1.1\r\nHost: test\r\nContent-Length: 7\r\nExpect: 100-continue\r\n\r\n", cancellationToken);
        await entered.WaitAsync(cancellationToken);
        bool earlyInput = client.HasInputWithin(s_quietWindow);
        release.Set();
        RawHttpResponse interim = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync("content", cancellationToken);
        RawHttpResponse final = await client.ReadResponseAsync(cancellationToken);

        Assert.That(earlyInput, Is.False, "nothing is sent while the handler has not touched the body");
        Assert.That(interim.Status, Is.EqualTo("100 Continue"));
        Assert.That(final.StatusCode, Is.EqualTo(200));
        Assert.That(final.BodyText, Is.EqualTo("content"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatRefusesWithoutReadingSendsNo100ContinueAndTheConnectionIsClosedAfter([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                request.SendStatus("403 Forbidden");
                request.SendData("no");
                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus("403 Forbidden");
                await request.SendDataAsync("no");
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("PUT /file HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("403 Forbidden"));
        Assert.That(response.BodyText, Is.EqualTo("no"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"), "the client learns that its body will not be read");
        Assert.That(end.Text, Is.Empty);
    }
}
