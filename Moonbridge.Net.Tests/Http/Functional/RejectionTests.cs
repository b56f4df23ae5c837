using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>
/// Requests the server refuses by itself: the status in the original's plain-text format, then the
/// connection closed, and a second request smuggled into the same write never answered.
/// </summary>
[TestFixture]
public sealed class RejectionTests
{
    private const int TestMilliseconds = 15_000;

    private const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n";

    public static IEnumerable<TestCaseData> Rejections()
    {
        var cases = new (string Name, string Request, int Status, string Reason, Action<HttpOptions>? Configure)[]
        {
            ("header section too large", $"GET / HTTP/1.1\r\nHost: test\r\nX-Big: {new string('a', 2000)}\r\n\r\n", 431, "Request header fields too large", o => o.RequestHeaderSizeLimit = 1024),
            ("request line too long", $"GET /{new string('p', 300)} HTTP/1.1\r\nHost: test\r\n\r\n", 414, "Request line too long", o => o.RequestLineSizeLimit = 256),
            ("too many header fields", "GET / HTTP/1.1\r\nHost: test\r\n" + string.Concat(Enumerable.Range(0, 10).Select(i => $"X-H{i}: {i}\r\n")) + "\r\n", 431, "Too many header fields", o => o.RequestHeaderCountLimit = 10),
            ("announced body over the limit", $"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 200\r\n\r\n{new string('b', 200)}", 413, "Announced request body size is too big (limit 100 bytes)", o => o.RequestBodySizeLimit = 100),
            ("chunked body over the limit", $"POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\nc8\r\n{new string('b', 200)}\r\n0\r\n\r\n", 413, "Request body size limit exceeded (limit 100 bytes)", o => o.RequestBodySizeLimit = 100),
            ("two spaces in the request line", "GET  / HTTP/1.1\r\nHost: test\r\n\r\n", 400, "Invalid request line", null),
            ("a method that is not a token", "G@T / HTTP/1.1\r\nHost: test\r\n\r\n", 400, "Invalid request line", null),
            ("an obs-fold header line", "GET / HTTP/1.1\r\nHost: test\r\nX-Folded: a\r\n b\r\n\r\n", 400, "Invalid header line", null),
            ("missing Host", "GET / HTTP/1.1\r\n\r\n", 400, "No valid host header", null),
            ("two Host lines", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "No valid host header", null),
            ("HTTP/2.0", "GET / HTTP/2.0\r\nHost: test\r\n\r\n", 505, "HTTP version not supported", null),
            ("an invalid percent-escape in the path", "GET /a%zzb HTTP/1.1\r\nHost: test\r\n\r\n", 400, "Invalid percent-encoding in request target", null),
            ("a truncated percent-escape in the path", "GET /a%4 HTTP/1.1\r\nHost: test\r\n\r\n", 400, "Invalid percent-encoding in request target", null),
            ("a lone percent sign in the query", "GET /a?rate=5% HTTP/1.1\r\nHost: test\r\n\r\n", 400, "Invalid percent-encoding in request target", null),
            ("an invalid percent-escape in the query", "GET /a?q=%zz&r=1 HTTP/1.1\r\nHost: test\r\n\r\n", 400, "Invalid percent-encoding in request target", null),
            ("an unknown expectation", "PUT / HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\nExpect: something-else\r\n\r\nx", 417, "Unexpected Expect header", null),
            ("Transfer-Encoding gzip", "POST / HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: gzip\r\n\r\n", 501, "Unsupported Transfer-Encoding", null),
            ("Content-Length and Transfer-Encoding", "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400, "Unexpected Transfer-Encoding", null),
            ("conflicting Content-Lengths", "POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", 400, "Content-Length header(s) invalid", null),
        };
        foreach (var c in cases)
        {
            foreach (HandlerForm form in Enum.GetValues<HandlerForm>())
            {
                yield return new TestCaseData(form, c.Request, c.Status, c.Reason, c.Configure)
                    .SetArgDisplayNames(form.ToString(), c.Name, c.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        }
    }

    [TestCaseSource(nameof(Rejections))]
    [CancelAfter(TestMilliseconds)]
    public async Task ARefusedRequestGetsItsStatusThenTheConnectionClosesAndASmuggledRequestIsNotAnswered(
        HandlerForm form, string request, int status, string reason, Action<HttpOptions>? configure)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.StaticHeaders.Add(new("Server", "functional-test"));
        configure?.Invoke(options);
        var handled = new List<string?>();
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                handled.Add(request.Path);
                byte[] body = request.Body;
                request.SendStatus(200);
                request.SendData(body);
                return true;
            },
            async (request, ct) =>
            {
                handled.Add(request.Path);
                byte[] body = await request.ReadBodyAsync(ct);
                request.SendStatus(200);
                await request.SendDataAsync(body);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(request + Smuggled, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        string statusText = response.Status;
        Assert.That(response.StatusCode, Is.EqualTo(status));
        Assert.That(response.Version, Is.EqualTo("HTTP/1.1"));
        Assert.That(response.BodyText, Is.EqualTo($"{statusText}\n\n{reason}\n"));

        Assert.That(response.Header("Content-Type"), Does.StartWith("text/plain"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(response.Header("Server"), Is.EqualTo("functional-test"));
        Assert.That(end.Text, Is.Empty, "nothing follows the error response, in particular no answer to the smuggled request");
        Assert.That(end.Reset, Is.False, "the connection ends with a clean close: a read returns 0");
        Assert.That(handled, Has.None.EqualTo("smuggled"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AMissingHostIsAnsweredInTheOriginalsPlainTextFormat()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(HandlerForm.Async);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("400 Bad Request"));
        Assert.That(response.BodyText, Is.EqualTo("400 Bad Request\n\nNo valid host header\n"));
    }
}
