using Moonbridge.Net.HandOff;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// <see cref="HandOffFlushers.Headers(int, IEnumerable{KeyValuePair{string, string}})"/>: the head a front sends before
/// handing the connection on, checked when the flusher is made and seen by a real client when it runs.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class HandOffFlusherTests
{
    [TestCase(200, "OK")]
    [TestCase(201, "Created")]
    [TestCase(202, "Accepted")]
    [TestCase(204, "No Content")]
    [TestCase(206, "Partial Content")]
    [TestCase(400, "Bad Request")]
    [TestCase(403, "Forbidden")]
    [TestCase(404, "Not Found")]
    [TestCase(500, "Internal Server Error")]
    [TestCase(502, "Bad Gateway")]
    [TestCase(503, "Service Unavailable")]
    [TestCase(299, "Status")]
    public async Task TheFlusherSendsItsStatusLineAndHeadersAndTheBodyEndsWithTheConnection(int statusCode, string reason, CancellationToken cancellationToken)
    {
        HandOffFlusher flusher = HandOffFlushers.Headers(statusCode, new KeyValuePair<string, string>("Content-Type", "text/plain"));
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (request, ct) =>
        {
            // What a receiver would do after the hand-off, done here: the body, then the end of the connection.
            Assert.That(await flusher(request, ct), Is.True, "the flusher started the response");
            await request.Socket.FlushAsync("body"u8.ToArray(), ct);
            await request.Socket.CloseAsync(ct);
            return true;
        });

        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(end.Text, Is.EqualTo($"HTTP/1.1 {statusCode} {reason}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nbody"));
    }

    [TestCase("Connection", "keep-alive")]
    [TestCase("content-length", "4")]
    [TestCase("Transfer-Encoding", "chunked")]
    [TestCase("", "x")]
    [TestCase("Bad Name", "x")]
    [TestCase("X-Split", "a\r\nInjected: 1")]
    public void HeadersTheFlusherCannotSendAreRefusedWhenItIsMade(string name, string value)
        => Assert.That(() => HandOffFlushers.Headers(200, new KeyValuePair<string, string>(name, value)), Throws.ArgumentException);

    [TestCase(199)]
    [TestCase(600)]
    public void AStatusOutsideTheFinalRangeIsRefused(int statusCode)
        => Assert.That(() => HandOffFlushers.Headers(statusCode), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void TheExceptionCarriesItsMessageAndCause()
    {
        var cause = new IOException("broken pipe");
        Assert.Multiple(() =>
        {
            Assert.That(new HandOffException().ReturnedSocket, Is.Null);
            Assert.That(new HandOffException("failed").Message, Is.EqualTo("failed"));
            Assert.That(new HandOffException("failed", cause).InnerException, Is.SameAs(cause));
        });
    }
}
