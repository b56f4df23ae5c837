using System.Collections.Concurrent;
using System.Net.Sockets;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.Limits;

/// <summary>
/// The configurable limits: their defaults, the chunked-body framing limits, the 413 that names the
/// body limit, the connection limit of a pool, and the bound on output a non-reading client can make
/// the server hold.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.All)]
public sealed class LimitTests
{
    private const int TestMilliseconds = 30_000;

    private const string ChunkedPost = "POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";

    [Test]
    public void TheDefaultsAreTheDocumentedOnes()
    {
        var options = new HttpOptions();
        Assert.Multiple(() =>
        {
            Assert.That(options.RequestLineSizeLimit, Is.EqualTo(64 * 1024));
            Assert.That(options.RequestHeaderSizeLimit, Is.EqualTo(1024 * 1024));
            Assert.That(options.RequestHeaderCountLimit, Is.EqualTo(100));
            Assert.That(options.RequestBodySizeLimit, Is.EqualTo(64L * 1024 * 1024));
            Assert.That(options.RequestBodyDrainLimit, Is.EqualTo(1024 * 1024));
            Assert.That(options.RequestChunkLineSizeLimit, Is.EqualTo(4 * 1024));
            Assert.That(options.RequestTrailerSizeLimit, Is.EqualTo(16 * 1024));
            Assert.That(options.MinimumRequestBodyDataRate, Is.EqualTo(240));
            Assert.That(options.MinimumRequestBodyDataRateGracePeriod, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.MinimumResponseDataRate, Is.EqualTo(240));
            Assert.That(options.MinimumResponseDataRateGracePeriod, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.IdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(65)));
            Assert.That(options.RequestHeaderTimeout, Is.EqualTo(TimeSpan.FromSeconds(120)));
            Assert.That(options.StallTimeout, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(options.ResponseTimeout, Is.EqualTo(TimeSpan.FromSeconds(3600)));
            Assert.That(options.DrainTimeout, Is.EqualTo(TimeSpan.FromSeconds(2)));
        });

        var pool = new ListenOptions { Connect = _ => true };
        pool.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        Assert.That(pool.EffectiveMaxFork, Is.EqualTo(16));
        Assert.That(pool.Backlog, Is.EqualTo(1024));
    }

    [TestCase(-1)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void AnInvalidMinimumBodyRateIsRefusedWhenTheHandlerIsCreated(double rate)
    {
        var options = new HttpOptions { MinimumRequestBodyDataRate = rate };
        Assert.That(() => HttpHandler.Create(options, (HttpRequestHandler)(_ => true)), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase(-1)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void AnInvalidMinimumResponseRateIsRefusedWhenTheHandlerIsCreated(double rate)
    {
        var options = new HttpOptions { MinimumResponseDataRate = rate };
        Assert.That(() => HttpHandler.Create(options, (HttpRequestHandler)(_ => true)), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void ANegativeResponseRateGracePeriodIsRefusedWhenTheHandlerIsCreated()
    {
        var options = new HttpOptions { MinimumResponseDataRateGracePeriod = TimeSpan.FromSeconds(-1) };
        Assert.That(() => HttpHandler.Create(options, (HttpRequestHandler)(_ => true)), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase("Content-Length: 1000\r\n\r\n", "Announced request body size is too big (limit 999 bytes)")]
    [TestCase("Transfer-Encoding: chunked\r\n\r\n3e8\r\n", "Request body size limit exceeded (limit 999 bytes)")]
    [CancelAfter(TestMilliseconds)]
    public async Task ABodyOverTheLimitGets413NamingTheLimit(string framing, string reason, CancellationToken cancellationToken)
    {
        HttpOptions options = TestServer.BoundedHttpOptions();
        options.RequestBodySizeLimit = 999;
        await using TestServer server = TestServer.StartHttp(options, PathBodyEcho.HandleAsync);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST /upload HTTP/1.1\r\nHost: test\r\n" + framing + new string('x', 1000), cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(413));
        Assert.That(response.BodyText, Is.EqualTo($"413 Content Too Large\n\n{reason}\n"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ChunkExtensionsAreBoundedByTheChunkLineLimit(CancellationToken cancellationToken)
    {
        string extension = ";ext=" + new string('e', 300);
        HttpOptions options = TestServer.BoundedHttpOptions();
        await using TestServer defaults = TestServer.StartHttp(options, PathBodyEcho.HandleAsync);
        options = TestServer.BoundedHttpOptions();
        options.RequestChunkLineSizeLimit = 128;
        await using TestServer limited = TestServer.StartHttp(options, PathBodyEcho.HandleAsync);
        string request = ChunkedPost + $"5{extension}\r\nhello\r\n0\r\n\r\n";

        RawHttpResponse accepted = await SendOnceAsync(defaults, request, cancellationToken);
        RawHttpResponse refused = await SendOnceAsync(limited, request, cancellationToken);

        Assert.That(accepted.BodyText, Is.EqualTo("upload:hello"));
        Assert.That(refused.StatusCode, Is.EqualTo(400));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnEndlessChunkLineIsRefusedOnceTheLimitIsReachedNotBuffered(CancellationToken cancellationToken)
    {
        await using TestServer server = TestServer.StartHttp(TestServer.BoundedHttpOptions(), PathBodyEcho.HandleAsync);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(ChunkedPost + "5;" + new string('e', 5000), cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(400), "refused at 4 KiB, without waiting for the line's end");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TrailersAreBoundedByTheTrailerLimit(CancellationToken cancellationToken)
    {
        string trailers = string.Concat(Enumerable.Range(0, 20).Select(i => $"X-T{i}: {new string('t', 100)}\r\n"));
        HttpOptions options = TestServer.BoundedHttpOptions();
        await using TestServer defaults = TestServer.StartHttp(options, PathBodyEcho.HandleAsync);
        options = TestServer.BoundedHttpOptions();
        options.RequestTrailerSizeLimit = 1024;
        await using TestServer limited = TestServer.StartHttp(options, PathBodyEcho.HandleAsync);
        string request = ChunkedPost + $"5\r\nhello\r\n0\r\n{trailers}\r\n";

        RawHttpResponse accepted = await SendOnceAsync(defaults, request, cancellationToken);
        RawHttpResponse refused = await SendOnceAsync(limited, request, cancellationToken);

        Assert.That(accepted.BodyText, Is.EqualTo("upload:hello"));
        Assert.That(refused.StatusCode, Is.EqualTo(431));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ConnectionsBeyondThePoolLimitWaitAndAreServedWhenAWorkerIsFree(CancellationToken cancellationToken)
    {
        const int limit = 2;
        const int extra = 6;
        var release = new Signal();
        int running = 0;
        int maxRunning = 0;
        var started = new SemaphoreSlim(0);
        await using TestServer server = TestServer.StartHttp(
            TestServer.BoundedHttpOptions(),
            async (request, ct) =>
            {
                int now = Interlocked.Increment(ref running);
                InterlockedMax(ref maxRunning, now);
                started.Release();
                await release.WaitAsync(ct);
                Interlocked.Decrement(ref running);
                request.SendStatus(200);
                request.CloseAfterFinish();
                await request.SendDataAsync(request.Path ?? string.Empty);
                return true;
            },
            maxConnections: limit);

        var clients = new List<TestClient>();
        try
        {
            for (int i = 0; i < limit + extra; i++)
            {
                TestClient client = await server.ConnectAsync(cancellationToken);
                clients.Add(client);
                await client.SendAsync($"GET /c{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            }

            for (int i = 0; i < limit; i++)
            {
                Assert.That(await started.WaitAsync(Signal.Limit, cancellationToken), Is.True);
            }

            Assert.That(clients[^1].HasInputWithin(TimeSpan.FromMilliseconds(300)), Is.False, "a connection over the limit waits");
            // Not ActiveHandlerCount: a connection accepted before its request arrived parks and gives its worker back
            // (an async pool bounds busy handlers, not connections), so more connections than workers may be open.
            Assert.That(Volatile.Read(ref running), Is.EqualTo(limit), "only as many handlers run as the pool has workers");
            release.Set();
            for (int i = 0; i < clients.Count; i++)
            {
                RawHttpResponse response = await clients[i].ReadResponseAsync(cancellationToken);
                Assert.That(response.BodyText, Is.EqualTo($"c{i}"));
            }

            Assert.That(maxRunning, Is.EqualTo(limit), "never more handlers at once than the pool allows");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AClientThatNeverReadsCannotMakeTheServerBufferItsResponseWithoutBound(CancellationToken cancellationToken)
    {
        const int piece = 64 * 1024;
        const long attempted = 1024L * 1024 * 1024;
        long written = 0;
        var ended = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        HttpOptions options = TestServer.BoundedHttpOptions();
        options.StallTimeout = TimeSpan.FromSeconds(2);
        await using TestServer server = TestServer.StartHttp(
            options,
            async (request, _) =>
            {
                byte[] data = new byte[piece];
                request.SendStatus(200);
                try
                {
                    while (Interlocked.Read(ref written) < attempted)
                    {
                        await request.SendDataAsync(data);
                        Interlocked.Add(ref written, piece);
                    }

                    ended.TrySetResult(null);
                }
                catch (Exception e)
                {
                    ended.TrySetResult(e);
                    throw;
                }

                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        client.Socket.ReceiveBufferSize = 64 * 1024;

        await client.SendAsync("GET /big HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Exception? failure = await ended.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);

        // What the handler got rid of is what the kernel buffers of both ends took, plus the server's
        // high-water mark of queued output; without back-pressure it would be the whole gigabyte.
        Assert.That(failure, Is.Not.Null, "the handler was held up and then failed when the stall timeout ended the connection");
        Assert.That(Interlocked.Read(ref written), Is.LessThan(64L * 1024 * 1024));
        TestContext.Out.WriteLine($"A non-reading client let the handler write {Interlocked.Read(ref written) / 1024} KiB before the stall timeout.");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WriteNbReportsTheBytesHeldForAClientThatDoesNotRead(CancellationToken cancellationToken)
    {
        var pending = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new Signal();
        ListenOptions options = TestServer.Options(connectAsync: async (socket, ct) =>
        {
            byte[] data = new byte[64 * 1024];
            IoWriteResult result = default;
            for (int i = 0; i < 4096 && result.Pending == 0; i++)
            {
                result = socket.WriteNb(data);
            }

            pending.TrySetResult(result.Pending);
            await release.WaitAsync(ct);
            return true;
        });
        await using TestServer server = TestServer.StartTcp(options);
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 64 * 1024 };
        await client.ConnectAsync(server.EndPoint, cancellationToken);

        long held = await pending.Task.WaitAsync(Signal.Limit, cancellationToken);
        release.Set();

        Assert.That(held, Is.Positive, "once the kernel's buffers are full, WriteNb says how much the server holds");
    }

    private static async Task<RawHttpResponse> SendOnceAsync(TestServer server, string request, CancellationToken cancellationToken)
    {
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(request, cancellationToken);
        return await client.ReadResponseAsync(cancellationToken);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current = Volatile.Read(ref target);
        while (value > current)
        {
            int seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
