using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>
/// A handler that sends the same header strings response after response has them validated and classified once per
/// connection (the writer remembers the previous response's fields by reference and position); what they mean must
/// not change: a remembered Content-Length still frames the body and is still refused on a 204, and a remembered
/// Connection field still keeps the server from adding its own.
/// </summary>
[TestFixture]
public sealed class RepeatedResponseHeaderTests
{
    private const int TestMilliseconds = 15_000;
    private const string ContentType = "Content-Type";
    private const string TextPlain = "text/plain";
    private const string ContentLength = "Content-Length";
    private const string Five = "5";
    private const string Connection = "Connection";
    private const string KeepAlive = "keep-alive";
    private const string CreatedStatus = "201 Created";
    private static readonly string LongValue = new('v', 300);

    private static async ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        switch (request.Path)
        {
            case "nocontent":
                request.SendStatus(204);
                request.SendHeader(ContentType, TextPlain);
                try
                {
                    request.SendHeader(ContentLength, Five);
                    request.SendHeader("X-Refused", "no");
                }
                catch (InvalidOperationException)
                {
                    request.SendHeader("X-Refused", "yes");
                }

                break;
            case "keep":
                request.SendStatus(200);
                request.SendHeader(Connection, KeepAlive);
                request.SendHeader(ContentLength, Five);
                await request.SendDataAsync("keep!"u8.ToArray());
                break;
            case "varying":
                // The same name strings at the same positions with values that change (a fresh string each time, a
                // long one, one with Latin-1 letters), and a status string kept by the handler or made anew.
                int n = int.Parse(request.Query!.AsSpan("?n=".Length), System.Globalization.CultureInfo.InvariantCulture);
                request.SendStatus(n % 2 == 0 ? CreatedStatus : $"299 Custom {n}");
                request.SendHeader(ContentType, n % 3 == 0 ? TextPlain : $"text/x-{n}");
                request.SendHeader("X-Long", n % 2 == 0 ? LongValue : LongValue + n);
                request.SendHeader("X-Latin", n % 2 == 0 ? "caf\u00e9" : "na\u00efve");
                request.SendHeader(ContentLength, Five);
                await request.SendDataAsync("vary!"u8.ToArray());
                break;
            default:
                request.SendStatus(200);
                request.SendHeader(ContentType, TextPlain);
                request.SendHeader(ContentLength, Five);
                await request.SendDataAsync("hello"u8.ToArray());
                break;
        }

        return true;
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task RepeatedHeaderStringsKeepTheirMeaningOnEveryResponseOfAConnection(CancellationToken cancellationToken)
    {
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), HandleAsync);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        for (int i = 0; i < 3; i++)
        {
            await client.SendAsync("GET /a HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
            Assert.That(response.StatusCode, Is.EqualTo(200), $"response {i}");
            Assert.That(response.Framing, Is.EqualTo(BodyFraming.ContentLength), $"response {i}");
            Assert.That(response.Header("Content-Type"), Is.EqualTo("text/plain"), $"response {i}");
            Assert.That(response.BodyText, Is.EqualTo("hello"), $"response {i}");
        }

        await client.SendAsync("GET /nocontent HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse noContent = await client.ReadResponseAsync(cancellationToken);
        Assert.That(noContent.StatusCode, Is.EqualTo(204));
        Assert.That(noContent.Header("X-Refused"), Is.EqualTo("yes"), "a remembered Content-Length is still refused with 204");
        Assert.That(noContent.HeaderNames, Has.None.EqualTo("Content-Length").IgnoreCase);

        for (int i = 0; i < 2; i++)
        {
            await client.SendAsync("GET /keep HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            RawHttpResponse keep = await client.ReadResponseAsync(cancellationToken);
            Assert.That(keep.BodyText, Is.EqualTo("keep!"), $"response {i}");
            Assert.That(keep.HeaderNames.Count(n => n.Equals("Connection", StringComparison.OrdinalIgnoreCase)), Is.EqualTo(1), $"response {i}: the handler's Connection field only");
        }

        await client.SendAsync("GET /a HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("hello"), "the connection is still open and served");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ChangingValuesAndStatusesAtRememberedPositionsGoOutAsSent(CancellationToken cancellationToken)
    {
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), HandleAsync);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        foreach (int n in new[] { 0, 0, 1, 2, 2, 3, 1, 0, 4, 6, 6 })
        {
            await client.SendAsync($"GET /varying?n={n} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
            bool even = n % 2 == 0;
            Assert.That(response.Status, Is.EqualTo(even ? CreatedStatus : $"299 Custom {n}"), $"n={n}");
            Assert.That(response.Header("Content-Type"), Is.EqualTo(n % 3 == 0 ? TextPlain : $"text/x-{n}"), $"n={n}");
            Assert.That(response.Header("X-Long"), Is.EqualTo(even ? LongValue : LongValue + n), $"n={n}");
            Assert.That(response.Header("X-Latin"), Is.EqualTo(even ? "caf\u00e9" : "na\u00efve"), $"n={n}: Latin-1 on the wire");
            Assert.That(response.BodyText, Is.EqualTo("vary!"), $"n={n}");
        }
    }
}
