using System.Collections.Concurrent;
using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.Smuggling;

/// <summary>
/// Request smuggling defences (RFC 9112 §6.3, §7.1, §5.1–§5.2), one case per rule: a request whose framing
/// is ambiguous or malformed, followed in the same write by a second request, gets exactly one error
/// response and then the end of the connection, so no byte of the smuggled request is ever treated as a
/// request. Cases the RFC allows are shown to be accepted, with the following request answered as usual.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class SmugglingTests
{
    private const int TestMilliseconds = 15_000;

    private const string Smuggled = "GET /smuggled HTTP/1.1\r\nHost: test\r\n\r\n";

    private const string Post = "POST /attack HTTP/1.1\r\nHost: test\r\n";

    private static readonly string[] s_attackOnly = ["attack"];
    private static readonly string[] s_attackThenSmuggled = ["attack", "smuggled"];
    private static readonly string[] s_twoAttacksThenSmuggled = ["attack", "attack", "smuggled"];

    public static IEnumerable<TestCaseData> Rejected()
    {
        var cases = new (string Rule, string Request, int Status)[]
        {
            // Content-Length together with Transfer-Encoding, in either order (RFC 9112 §6.1).
            ("CL then TE", Post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            ("TE then CL", Post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n", 400),
            ("CL with TE identity", Post + "Content-Length: 5\r\nTransfer-Encoding: identity\r\n\r\nhello", 400),

            // Content-Length: digits only, all copies equal (RFC 9110 §8.6).
            ("two different CL lines", Post + "Content-Length: 5\r\nContent-Length: 50\r\n\r\nhello", 400),
            ("a CL list of different values", Post + "Content-Length: 5, 50\r\n\r\nhello", 400),
            ("CL with a plus sign", Post + "Content-Length: +5\r\n\r\nhello", 400),
            ("CL with a minus sign", Post + "Content-Length: -5\r\n\r\nhello", 400),
            ("CL in hex", Post + "Content-Length: 0x5\r\n\r\nhello", 400),
            ("CL with a space inside", Post + "Content-Length: 1 5\r\n\r\nhello", 400),
            ("CL with a trailing letter", Post + "Content-Length: 5a\r\n\r\nhello", 400),
            ("CL empty", Post + "Content-Length: \r\n\r\nhello", 400),
            ("CL overflowing a long", Post + "Content-Length: 99999999999999999999999\r\n\r\nhello", 400),

            // Transfer-Encoding: chunked, last and only once; anything else is not understood (RFC 9112 §6.1, §6.3).
            ("TE chunked not last", Post + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n", 400),
            ("TE with an unknown coding before chunked", Post + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
            ("TE chunked twice", Post + "Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", 400),
            ("TE chunked on two lines", Post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
            ("TE a lookalike of chunked", Post + "Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 501),
            ("TE chunked with a quoted parameter", Post + "Transfer-Encoding: chunked;q=\"1\"\r\n\r\n0\r\n\r\n", 501),
            ("TE in an HTTP/1.0 request", "POST /attack HTTP/1.0\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),

            // Chunk sizes: hex digits only, no overflow (RFC 9112 §7.1).
            ("chunk size overflowing a long", Post + "Transfer-Encoding: chunked\r\n\r\n10000000000000005\r\nhello\r\n0\r\n\r\n", 400),
            ("chunk size of 64 bits", Post + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400),
            ("negative chunk size", Post + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n", 400),
            ("chunk size with 0x", Post + "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", 400),
            ("chunk size with leading whitespace", Post + "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n", 400),
            ("missing chunk size", Post + "Transfer-Encoding: chunked\r\n\r\n\r\nhello\r\n0\r\n\r\n", 400),
            ("chunk data longer than its size", Post + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", 400),
            ("chunk size line ending in a bare LF", Post + "Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", 400),
            ("chunk extension ending in whitespace", Post + "Transfer-Encoding: chunked\r\n\r\n5;a \r\nhello\r\n0\r\n\r\n", 400),
            ("chunk extension without a name", Post + "Transfer-Encoding: chunked\r\n\r\n5;=x\r\nhello\r\n0\r\n\r\n", 400),
            ("trailer with obs-fold", Post + "Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: a\r\n b\r\n\r\n", 400),
            ("trailer with whitespace before the colon", Post + "Transfer-Encoding: chunked\r\n\r\n0\r\nX-T : a\r\n\r\n", 400),

            // Field syntax (RFC 9112 §5.1, §5.2, §2.2).
            ("obs-fold", "GET /attack HTTP/1.1\r\nHost: test\r\nX-Folded: a\r\n b\r\n\r\n", 400),
            ("obs-fold continuing Transfer-Encoding", Post + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
            ("space before the colon", "GET /attack HTTP/1.1\r\nHost : test\r\n\r\n", 400),
            ("tab before the colon", Post + "Transfer-Encoding\t: chunked\r\n\r\n0\r\n\r\n", 400),
            ("space before the colon of Content-Length", Post + "Content-Length : 5\r\n\r\nhello", 400),
            ("a line starting with whitespace after the request line", "GET /attack HTTP/1.1\r\n Host: test\r\n\r\n", 400),
            ("bare CR inside a field value", "GET /attack HTTP/1.1\r\nHost: test\r\nX-A: a\rb\r\n\r\n", 400),
            ("bare CR ending a field line", "GET /attack HTTP/1.1\r\nHost: test\rX-A: b\r\n\r\n", 400),
            ("bare LF ending a field line", "GET /attack HTTP/1.1\r\nHost: test\nX-A: b\r\n\r\n", 400),
            ("bare LF line endings throughout", "GET /attack HTTP/1.1\nHost: test\n\n", 400),
            ("NUL in a field value", "GET /attack HTTP/1.1\r\nHost: test\r\nX-A: a\0b\r\n\r\n", 400),
            ("NUL in a field name", "GET /attack HTTP/1.1\r\nHost: test\r\nX\0A: b\r\n\r\n", 400),
            ("NUL in the target", "GET /at\0tack HTTP/1.1\r\nHost: test\r\n\r\n", 400),
            ("a space in a field name", "GET /attack HTTP/1.1\r\nHost: test\r\nX A: b\r\n\r\n", 400),
            ("a parenthesis in a field name", "GET /attack HTTP/1.1\r\nHost: test\r\nX(A): b\r\n\r\n", 400),
            ("a non-ASCII byte in a field name", "GET /attack HTTP/1.1\r\nHost: test\r\nX\u00e9A: b\r\n\r\n", 400),
            ("an empty field name", "GET /attack HTTP/1.1\r\nHost: test\r\n: b\r\n\r\n", 400),
            ("a field line without a colon", "GET /attack HTTP/1.1\r\nHost: test\r\nX-A b\r\n\r\n", 400),
            ("a method that is not a token", "G\"T /attack HTTP/1.1\r\nHost: test\r\n\r\n", 400),
            ("a tab between method and target", "GET\t/attack HTTP/1.1\r\nHost: test\r\n\r\n", 400),
            ("whitespace in the target", "GET /at tack HTTP/1.1\r\nHost: test\r\n\r\n", 400),
            ("a lowercase version", "GET /attack http/1.1\r\nHost: test\r\n\r\n", 400),

            // Host: exactly one valid one (RFC 9112 §3.2).
            ("two Host lines", "GET /attack HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
            ("a Host list", "GET /attack HTTP/1.1\r\nHost: a, b\r\n\r\n", 400),
            ("a Host with a path", "GET /attack HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
        };
        foreach (var c in cases)
        {
            yield return new TestCaseData(c.Request, c.Status).SetArgDisplayNames(c.Rule, c.Status.ToString(CultureInfo.InvariantCulture));
        }
    }

    [TestCaseSource(nameof(Rejected))]
    [CancelAfter(TestMilliseconds)]
    public async Task ASmugglingAttemptGetsOneErrorResponseThenTheEndOfTheConnection(string attack, int status, CancellationToken cancellationToken)
    {
        var handled = new ConcurrentQueue<string?>();
        await using TestServer server = StartRecording(handled);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(attack + Smuggled, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(status), response.BodyText);
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Text, Is.Empty, "no second response: the smuggled request was never parsed");
        Assert.That(handled, Has.None.EqualTo("smuggled"));
    }

    [TestCaseSource(nameof(Rejected))]
    [CancelAfter(TestMilliseconds)]
    public async Task ASmugglingAttemptSentByteByByteIsRejectedTheSameWay(string attack, int status, CancellationToken cancellationToken)
    {
        var handled = new ConcurrentQueue<string?>();
        await using TestServer server = StartRecording(handled);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        // The server may answer and close before the last bytes are sent: a failing send is fine here.
        try
        {
            await client.SendAsync(attack + Smuggled, cancellationToken, byteByByte: true);
        }
        catch (System.Net.Sockets.SocketException)
        {
        }

        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(status), response.BodyText);
        Assert.That(end.Text, Is.Empty);
        Assert.That(handled, Has.None.EqualTo("smuggled"));
    }

    public static IEnumerable<TestCaseData> Accepted()
    {
        var cases = new (string Rule, string Request, string Body)[]
        {
            ("chunk extension with whitespace before the semicolon", Post + "Transfer-Encoding: chunked\r\n\r\n5 ;a=b\r\nhello\r\n0\r\n\r\n", "hello"),
            ("chunk extension with whitespace around the equals sign", Post + "Transfer-Encoding: chunked\r\n\r\n5; a = \"q;\\\"x\" ;b\r\nhello\r\n0\r\n\r\n", "hello"),
            ("chunk extension with a tab", Post + "Transfer-Encoding: chunked\r\n\r\n5\t;a\r\nhello\r\n0\r\n\r\n", "hello"),
            ("chunk size with leading zeros", Post + "Transfer-Encoding: chunked\r\n\r\n000000000000000000005\r\nhello\r\n0000\r\n\r\n", "hello"),
            ("chunk size in uppercase hex", Post + "Transfer-Encoding: chunked\r\n\r\nA\r\nhellohello\r\n0\r\n\r\n", "hellohello"),
            ("a trailer field", Post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n", "hello"),
            ("TE chunked in another case", Post + "Transfer-Encoding: ChUnKeD\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "hello"),
            ("two equal CL lines", Post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello", "hello"),
            ("a CL with surrounding whitespace", Post + "Content-Length: \t5 \r\n\r\nhello", "hello"),
        };
        foreach (var c in cases)
        {
            yield return new TestCaseData(c.Request, c.Body).SetArgDisplayNames(c.Rule);
        }
    }

    [TestCaseSource(nameof(Accepted))]
    [CancelAfter(TestMilliseconds)]
    public async Task AFramingTheRfcAllowsIsAcceptedAndTheNextRequestIsAnsweredOnItsOwn(string request, string body, CancellationToken cancellationToken)
    {
        var handled = new ConcurrentQueue<string?>();
        await using TestServer server = StartRecording(handled);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(request + Smuggled, cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.StatusCode, Is.EqualTo(200), first.BodyText);
        Assert.That(first.BodyText, Is.EqualTo("attack:" + body));
        Assert.That(second.BodyText, Is.EqualTo("smuggled:"));
        Assert.That(handled, Is.EqualTo(s_attackThenSmuggled));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AChunkedBodyThatTurnsMalformedWhileTheHandlerReadsItEndsTheConnection(CancellationToken cancellationToken)
    {
        var handled = new ConcurrentQueue<string?>();
        await using TestServer server = StartRecording(handled);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        // The first chunk is good; the second's size line hides a request after a bare LF.
        await client.SendAsync(Post + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", cancellationToken);
        await client.SendAsync("0\n\r\n" + Smuggled, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(400));
        Assert.That(end.Text, Is.Empty);
        Assert.That(handled, Is.EqualTo(s_attackOnly));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ABodyTheHandlerLeavesUnreadIsSkippedByItsLengthAndNeverParsedAsARequest(CancellationToken cancellationToken)
    {
        // The body looks like a request; the handler does not read it; the server must skip exactly
        // Content-Length bytes (or the chunked body) and parse what follows.
        var handled = new ConcurrentQueue<string?>();
        await using TestServer server = TestServer.StartHttp(
            TestServer.BoundedHttpOptions(),
            (request, _) =>
            {
                handled.Enqueue(request.Path);
                request.SendStatus(204);
                return ValueTask.FromResult(true);
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        string hidden = "GET /hidden HTTP/1.1\r\nHost: test\r\n\r\n";
        string chunkedHidden = $"{hidden.Length:x}\r\n{hidden}\r\n0\r\n\r\n";

        await client.SendAsync(
            Post + $"Content-Length: {hidden.Length}\r\n\r\n{hidden}"
            + Post + $"Transfer-Encoding: chunked\r\n\r\n{chunkedHidden}"
            + Smuggled,
            cancellationToken);
        for (int i = 0; i < 3; i++)
        {
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
            Assert.That(response.StatusCode, Is.EqualTo(204));
        }

        Assert.That(client.HasInputWithin(TimeSpan.FromMilliseconds(200)), Is.False, "exactly three responses");
        Assert.That(handled, Is.EqualTo(s_twoAttacksThenSmuggled));
    }

    private static TestServer StartRecording(ConcurrentQueue<string?> handled)
        => TestServer.StartHttp(
            TestServer.BoundedHttpOptions(),
            (request, cancellationToken) =>
            {
                handled.Enqueue(request.Path);
                return PathBodyEcho.HandleAsync(request, cancellationToken);
            });
}
