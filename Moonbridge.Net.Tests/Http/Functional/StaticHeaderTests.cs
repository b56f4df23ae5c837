using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class StaticHeaderTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task StaticHeadersAreOnNormalResponsesOn100ContinueAndOnTheServersOwnErrors([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.StaticHeaders.Add(new("Server", "functional-test"));
        options.StaticHeaders.Add(new("X-Static", "yes"));
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                if (request.Path == "fail")
                {
                    throw new InvalidOperationException("handler failure");
                }

                byte[] body = request.Body;
                request.SendStatus(200);
                request.SendData(body);
                return true;
            },
            async (request, ct) =>
            {
                if (request.Path == "fail")
                {
                    throw new InvalidOperationException("handler failure");
                }

                byte[] body = await request.ReadBodyAsync(ct);
                request.SendStatus(200);
                await request.SendDataAsync(body);
                return true;
            });

        var responses = new List<RawHttpResponse>();
        using (TestClient client = await server.ConnectAsync(cancellationToken))
        {
            await client.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n", cancellationToken);
            responses.Add(await client.ReadResponseAsync(cancellationToken));
            await client.SendAsync("body", cancellationToken);
            responses.Add(await client.ReadResponseAsync(cancellationToken));
        }

        foreach (string request in (string[])["GET / HTTP/1.1\r\n\r\n", "GET /fail HTTP/1.1\r\nHost: test\r\n\r\n"])
        {
            using TestClient client = await server.ConnectAsync(cancellationToken);
            await client.SendAsync(request, cancellationToken);
            responses.Add(await client.ReadResponseAsync(cancellationToken));
        }

        Assert.That(responses.Select(r => r.StatusCode), Is.EqualTo((int[])[100, 200, 400, 500]));
        Assert.That(responses.Select(r => r.Header("Server")), Is.All.EqualTo("functional-test"));
        Assert.That(responses.Select(r => r.Header("X-Static")), Is.All.EqualTo("yes"));
        Assert.That(responses[1].BodyText, Is.EqualTo("body"));
    }
}
