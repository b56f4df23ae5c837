using System.Diagnostics;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class TimeoutTests
{
    private const int TestMilliseconds = 15_000;

    private static readonly TimeSpan s_short = TimeSpan.FromMilliseconds(300);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnIdleKeepAliveConnectionIsClosedSilentlyAfterTheIdleTimeout([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.IdleTimeout = s_short;
        await using TestServer server = PathEchoHandlers.Start(form, options);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /first HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        var idle = Stopwatch.StartNew();
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("path=first"));
        Assert.That(end.Text, Is.Empty, "no unsolicited 408");
        Assert.That(end.Reset, Is.False);
        Assert.That(idle.Elapsed, Is.GreaterThan(s_short / 2));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AConnectionThatNeverSendsAnythingIsClosedSilentlyAfterTheIdleTimeout()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.IdleTimeout = s_short;
        await using TestServer server = PathEchoHandlers.Start(HandlerForm.Async, options);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(end.Text, Is.Empty);
        Assert.That(end.Reset, Is.False);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHeadThatArrivesTooSlowlyGets408AndTheConnectionClosed()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.RequestHeaderTimeout = s_short;
        await using TestServer server = PathEchoHandlers.Start(HandlerForm.Async, options);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: te", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("408 Request Timeout"));
        Assert.That(response.BodyText, Is.EqualTo("408 Request Timeout\n\nTimeout while receiving headers\n"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Text, Is.Empty);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ABodyThatStopsArrivingWhileTheHandlerReadsItEndsTheConnectionAfterTheStallTimeout([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.StallTimeout = s_short;
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
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
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\nabc", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("408 Request Timeout\n\nTimeout while waiting for request body\n"));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(end.Text, Is.Empty);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AClientThatStopsReadingALargeResponseHasItsConnectionEndedAfterTheStallTimeout([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.StallTimeout = s_short;
        var failure = new TaskCompletionSource<(Type Exception, bool Faulty)>(TaskCreationOptions.RunContinuationsAsynchronously);
        byte[] megabyte = new byte[1 << 20];
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                request.SendStatus(200);
                try
                {
                    for (int i = 0; i < 256; i++)
                    {
                        request.SendData(megabyte);
                    }
                }
                catch (Exception e)
                {
                    failure.TrySetResult((e.GetType(), request.Faulty));
                    throw;
                }

                failure.TrySetResult((typeof(void), request.Faulty));
                return true;
            },
            async (request, ct) =>
            {
                request.SendStatus(200);
                try
                {
                    for (int i = 0; i < 256; i++)
                    {
                        await request.SendDataAsync(megabyte);
                    }
                }
                catch (Exception e)
                {
                    failure.TrySetResult((e.GetType(), request.Faulty));
                    throw;
                }

                failure.TrySetResult((typeof(void), request.Faulty));
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        client.Socket.ReceiveBufferSize = 64 * 1024;

        await client.SendAsync("GET /large HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        (Type exception, bool faulty) = await failure.Task.WaitAsync(Signal.Limit, cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(exception, Is.EqualTo(typeof(IOException)));
        Assert.That(faulty, Is.True);
        Assert.That(end.Reset, Is.True);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatHangsPastTheResponseTimeoutHasItsConnectionReset([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.ResponseTimeout = s_short;
        var hang = new Signal();
        var cancelled = new Signal();
        try
        {
            await using TestServer server = TestServer.StartHttp(
                form,
                options,
                request =>
                {
                    if (request.Path == "ok")
                    {
                        request.SendStatus(200);
                        request.SendData("ok");
                        return true;
                    }

                    hang.Wait();
                    return true;
                },
                async (request, ct) =>
                {
                    if (request.Path == "ok")
                    {
                        request.SendStatus(200);
                        await request.SendDataAsync("ok");
                        return true;
                    }

                    try
                    {
                        await hang.WaitAsync(ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        cancelled.Set();
                        throw;
                    }

                    return true;
                });
            using TestClient client = await server.ConnectAsync(cancellationToken);

            await client.SendAsync("GET /hang HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            var waited = Stopwatch.StartNew();
            ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);
            hang.Set();

            Assert.That(end.Reset, Is.True);
            Assert.That(end.Text, Is.Empty);
            Assert.That(waited.Elapsed, Is.LessThan(Signal.Limit / 2), "reset by the response timeout, not after the handler gave up");
            Assert.That(cancelled.IsSet, Is.EqualTo(form == HandlerForm.Async), "an async handler's token is cancelled");
            using TestClient other = await server.ConnectAsync(cancellationToken);
            await other.SendAsync("GET /ok HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await other.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("ok"));
        }
        finally
        {
            hang.Set();
        }
    }
}
