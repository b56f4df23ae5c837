using System.Globalization;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class RequestBodyTests
{
    private const int TestMilliseconds = 15_000;

    private const string ChunkedBody = "5;ext=1\r\nhello\r\n6;  name = \"quoted\"\r\n world\r\n0\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n";

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AContentLengthBodyIsReadWhole([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartBodyEchoServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 11\r\n\r\nhello world", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("hello world"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AChunkedBodyWithExtensionsAndTrailersIsReadWholeAndTheConnectionStaysUsable(
        [Values] HandlerForm form, [Values] bool byteByByte)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = StartBodyEchoServer(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(
            "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + ChunkedBody
            + "POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 4\r\n\r\nnext",
            cancellationToken,
            byteByByte);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.BodyText, Is.EqualTo("hello world"));
        Assert.That(second.BodyText, Is.EqualTo("next"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnreadBodyIsDrainedSoThatAPipelinedRequestOnTheSameConnectionIsAnswered(
        [Values] HandlerForm form, [Values] bool chunked)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = PathEchoHandlers.Start(form);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        string body = new('b', 5000);
        string framed = chunked
            ? $"Transfer-Encoding: chunked\r\n\r\n{body.Length:x}\r\n{body}\r\n0\r\n\r\n"
            : $"Content-Length: {body.Length}\r\n\r\n{body}";

        await client.SendAsync($"POST /unread HTTP/1.1\r\nHost: test\r\nContent-Type: application/octet-stream\r\n{framed}GET /second HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.BodyText, Is.EqualTo("path=unread"));
        Assert.That(second.BodyText, Is.EqualTo("path=second"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnreadBodyLargerThanTheDrainLimitClosesTheConnectionAfterTheResponse([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.RequestBodyDrainLimit = 1000;
        await using TestServer server = PathEchoHandlers.Start(form, options);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync($"POST /unread HTTP/1.1\r\nHost: test\r\nContent-Length: 5000\r\n\r\n{new string('b', 5000)}", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("path=unread"));
        Assert.That(end.Text, Is.Empty);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task StreamRequestBodyHandsOverPiecesNoLargerThanTheMaximumInputChunkSize(
        [Values] HandlerForm form, [Values] bool chunked)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.MaximumInputChunkSize = 1000;
        var pieces = new List<int>();
        var received = new MemoryStream();
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                request.StreamRequestBody(piece =>
                {
                    pieces.Add(piece.Length);
                    received.Write(piece);
                });
                request.SendStatus(204);
                return true;
            },
            async (request, ct) =>
            {
                await request.StreamRequestBodyAsync(
                    (piece, _) =>
                    {
                        pieces.Add(piece.Length);
                        received.Write(piece.Span);
                        return ValueTask.CompletedTask;
                    },
                    ct);
                request.SendStatus(204);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        byte[] body = Pattern(10_000);
        byte[] framed = chunked ? Chunk(body, 3000) : body;

        await client.SendAsync(
            $"PUT /data HTTP/1.1\r\nHost: test\r\n{(chunked ? "Transfer-Encoding: chunked" : "Content-Length: 10000")}\r\n\r\n",
            cancellationToken);
        await client.SendAsync(framed, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(204));
        Assert.That(pieces, Is.Not.Empty.And.All.InRange(1, 1000));
        Assert.That(received.ToArray(), Is.EqualTo(body));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnAsyncCallbackFindsEachPieceIntactWhenItReadsItOnlyAfterAwaiting([Values] bool chunked)
    {
        // The pieces are the connection's own input, handed on without a copy: the input must not move past a piece,
        // nor reuse its memory for the bytes still arriving, before the callback's task completes.
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var received = new MemoryStream();
        await using TestServer server = TestServer.StartHttp(
            TestServer.HttpOptions(),
            async (request, ct) =>
            {
                await request.StreamRequestBodyAsync(
                    async (piece, _) =>
                    {
                        await Task.Yield();
                        received.Write(piece.Span);
                    },
                    ct);
                request.SendStatus(204);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        byte[] body = Pattern(4 * 1024 * 1024);
        byte[] framed = chunked ? Chunk(body, 100_000) : body;

        await client.SendAsync(
            $"PUT /data HTTP/1.1\r\nHost: test\r\n{(chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {body.Length}")}\r\n\r\n",
            cancellationToken);
        await client.SendAsync(framed, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(204));
        Assert.That(received.ToArray(), Is.EqualTo(body));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnObserverAttachedFromInsideAStreamCallbackCountsTheRestOfTheBody()
    {
        // The callback holds a piece of the connection's input while it runs: attaching an observer then must not read
        // the input a second time.
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var observer = new CountingObserver();
        long streamed = 0;
        await using TestServer server = TestServer.StartHttp(
            TestServer.HttpOptions(),
            async (request, ct) =>
            {
                await request.StreamRequestBodyAsync(
                    (piece, _) =>
                    {
                        if (streamed == 0)
                        {
                            request.Observe(observer);
                        }

                        streamed += piece.Length;
                        return ValueTask.CompletedTask;
                    },
                    ct);
                request.SendStatus(204);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        byte[] body = Pattern(1024 * 1024);

        await client.SendAsync($"PUT /data HTTP/1.1\r\nHost: test\r\nContent-Length: {body.Length}\r\n\r\n", cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        bool completed = await observer.Ended.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(204));
        Assert.That(streamed, Is.EqualTo(body.Length));
        Assert.That(completed, Is.True);
        Assert.That(observer.Received, Is.InRange(1, body.Length), "the body after the piece in hand when the observer came");
    }

    private sealed class CountingObserver : IHttpExchangeObserver
    {
        private long _received;

        public long Received => Interlocked.Read(ref _received);

        public TaskCompletionSource<bool> Ended { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void OnBodyReceived(long bytes) => Interlocked.Add(ref _received, bytes);

        public void OnResponseStarted(int statusCode, long? contentLength)
        {
        }

        public void OnResponseSent(long bytes)
        {
        }

        public void OnExchangeEnded(bool completed) => Ended.TrySetResult(completed);
    }

    internal static byte[] Pattern(int length)
    {
        byte[] data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(i * 31 % 251);
        }

        return data;
    }

    /// <summary>Frames <paramref name="body"/> as chunks of <paramref name="size"/> bytes plus the last chunk.</summary>
    internal static byte[] Chunk(byte[] body, int size)
    {
        var framed = new MemoryStream();
        for (int offset = 0; offset < body.Length; offset += size)
        {
            int length = Math.Min(size, body.Length - offset);
            framed.Write(Encoding.ASCII.GetBytes(length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            framed.Write(body, offset, length);
            framed.Write("\r\n"u8);
        }

        framed.Write("0\r\n\r\n"u8);
        return framed.ToArray();
    }

    private static TestServer StartBodyEchoServer(HandlerForm form) => TestServer.StartHttp(
        form,
        TestServer.HttpOptions(),
        request =>
        {
            byte[] body = request.Body;
            request.SendStatus(200);
            request.SendData(body);
            return true;
        },
        async (request, ct) =>
        {
            byte[] body = await request.ReadBodyAsync(ct);
            request.SendStatus(200);
            await request.SendDataAsync(body);
            return true;
        });
}
