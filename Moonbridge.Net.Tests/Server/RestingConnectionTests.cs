using System.Diagnostics;
using System.Net.Sockets;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>
/// A keep-alive connection that stays idle past <see cref="HttpOptions.IdleRestDelay"/> rests: its connect call ends and
/// it holds only its socket until the client speaks. To the client nothing changes: the next request is served on the
/// same connection, pipelined requests and a head split across the rest arrive whole, the idle limit still closes it
/// silently, a stop closes it at once, and a client that leaves frees its place. Handlers that cannot rest (a blocking
/// one, a connect handler of the user's own around the HTTP one) keep their call as before.
/// </summary>
[TestFixture]
public sealed class RestingConnectionTests
{
    private static readonly TimeSpan s_restSoon = TimeSpan.FromMilliseconds(50);

    [Test]
    [CancelAfter(30_000)]
    public async Task AnIdleConnectionRestsAndServesItsNextRequestOnTheSameConnection(CancellationToken cancellationToken)
    {
        int calls = 0;
        await using TestServer host = Start(Options(s_restSoon), (request, token) =>
        {
            Interlocked.Increment(ref calls);
            return EchoPathAsync(request, token);
        });
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        for (int i = 0; i < 5; i++)
        {
            await client.SendAsync($"GET /r{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"r{i}"));
            await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "the connection rests", cancellationToken);
            Assert.That(host.Server.ActiveHandlerCount, Is.EqualTo(1), "a resting connection still counts as one open connection");
        }

        Assert.That(calls, Is.EqualTo(5));
        Assert.That(host.ServerErrors, Is.Empty);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ARestingConnectionTakesAHeadSentInPiecesAndPipelinedRequests(CancellationToken cancellationToken)
    {
        await using TestServer host = Start(Options(s_restSoon), EchoPathAsync);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "a connection without a first request rests too", cancellationToken);

        await client.SendAsync("GET /split HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken, byteByByte: true);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("split"));

        await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "the connection rests again", cancellationToken);
        await client.SendAsync(string.Concat(Enumerable.Range(0, 16).Select(i => $"GET /p{i} HTTP/1.1\r\nHost: test\r\n\r\n")), cancellationToken);
        for (int i = 0; i < 16; i++)
        {
            Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"p{i}"));
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AfterARestALargeBodyAndThePeersAddressArriveIntact(CancellationToken cancellationToken)
    {
        // A resting connection lets its input pipe go; the body arrives through a new one, across its pauses.
        await using TestServer host = Start(Options(s_restSoon), async (request, token) =>
        {
            byte[] body = await request.ReadBodyAsync(token);
            request.SendStatus(200);
            await request.SendDataAsync(FormattableString.Invariant($"{body.Length} {body.Sum(b => (long)b)} {request.Socket.RemoteIp4}:{request.Socket.RemoteTcpPort}"));
            return true;
        });
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        var local = (System.Net.IPEndPoint)client.Socket.LocalEndPoint!;
        byte[] content = [.. Enumerable.Range(0, 3 * 1024 * 1024).Select(i => (byte)(i * 7))];
        for (int round = 0; round < 2; round++)
        {
            await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "the connection rests", cancellationToken);
            await client.SendAsync($"POST /big HTTP/1.1\r\nHost: test\r\nContent-Length: {content.Length}\r\n\r\n", cancellationToken);
            await client.SendAsync(content, cancellationToken);
            Assert.That(
                (await client.ReadResponseAsync(cancellationToken)).BodyText,
                Is.EqualTo(FormattableString.Invariant($"{content.Length} {content.Sum(b => (long)b)} 127.0.0.1:{local.Port}")));
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task WithNoDelayEveryGapBetweenRequestsIsARest(CancellationToken cancellationToken)
    {
        await using TestServer host = Start(Options(TimeSpan.Zero), EchoPathAsync);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        for (int i = 0; i < 200; i++)
        {
            await client.SendAsync($"POST /n{i} HTTP/1.1\r\nHost: test\r\nContent-Length: 3\r\n\r\nabc", cancellationToken);
            Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"n{i}"));
        }

        await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "the connection rests", cancellationToken);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ARestingConnectionIsClosedSilentlyAtItsIdleLimitAndGivesItsPlaceBack(CancellationToken cancellationToken)
    {
        var options = Options(s_restSoon, idleTimeout: TimeSpan.FromMilliseconds(600));
        options.Pool.MaxConnections = 1;
        await using TestServer host = Start(options, EchoPathAsync);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await client.SendAsync("GET /once HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("once"));

        long idleSince = Stopwatch.GetTimestamp();
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);
        TimeSpan held = Stopwatch.GetElapsedTime(idleSince);
        Assert.That(end.Data, Is.Empty, "no unsolicited 408");
        Assert.That(held, Is.GreaterThan(TimeSpan.FromMilliseconds(450)), "the rest counts toward the idle limit, not past it");

        // Its place in MaxConnections is free again: a new client is served.
        await WaitUntilAsync(() => host.Server.ActiveHandlerCount == 0, "the closed connection is gone", cancellationToken);
        using TestClient next = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await next.SendAsync("GET /next HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await next.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("next"));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AClientLeavingARestingConnectionFreesIt(CancellationToken cancellationToken)
    {
        await using TestServer host = Start(Options(s_restSoon), EchoPathAsync);
        var clients = new List<TestClient>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
                clients.Add(client);
                await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                _ = await client.ReadResponseAsync(cancellationToken);
            }

            await WaitUntilAsync(() => host.Server.RestingConnectionCount == 20, "all 20 rest", cancellationToken);
            for (int i = 0; i < 10; i++)
            {
                clients[i].ShutdownSend();
            }

            for (int i = 10; i < 20; i++)
            {
                clients[i].Reset();
            }

            await WaitUntilAsync(() => host.Server.ActiveHandlerCount == 0, "closed and reset connections are freed", cancellationToken);
            ConnectionEnd end = await clients[0].ReadToEndAsync(cancellationToken);
            Assert.That(end.Data, Is.Empty);
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AStopClosesRestingConnectionsAtOnceAndLetsAnExchangeInProgressFinish(CancellationToken cancellationToken)
    {
        var handlerEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseHandler = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = Options(s_restSoon);
        options.Pool.ShutdownTimeout = TimeSpan.FromSeconds(20);
        await using TestServer host = Start(options, async (request, _) =>
        {
            if (request.Path == "slow")
            {
                handlerEntered.TrySetResult();
                await releaseHandler.Task;
            }

            request.SendStatus(200);
            await request.SendDataAsync(request.Path ?? string.Empty);
            return true;
        });
        using TestClient resting = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await resting.SendAsync("GET /first HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        _ = await resting.ReadResponseAsync(cancellationToken);
        await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "the connection rests", cancellationToken);

        using TestClient busy = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await busy.SendAsync("GET /slow HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        await handlerEntered.Task.WaitAsync(cancellationToken);

        Task stopping = host.Server.StopAsync();
        ConnectionEnd end = await resting.ReadToEndAsync(cancellationToken);
        Assert.That(end.Data, Is.Empty, "the resting connection is closed without a response");
        Assert.That(stopping.IsCompleted, Is.False, "the exchange in progress holds the stop");

        releaseHandler.SetResult();
        Assert.That((await busy.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("slow"));
        await stopping.WaitAsync(cancellationToken);
        Assert.That(host.Server.ActiveHandlerCount, Is.Zero);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ConnectHandlersThatCannotRestKeepTheirCall(CancellationToken cancellationToken)
    {
        HttpOptions http = TestServer.HttpOptions();
        http.IdleRestDelay = TimeSpan.Zero;
        AsyncConnectHandler inner = HttpHandler.Create(http, EchoPathAsync);
        bool returned = false;

        // A connect handler of the user's own may do more once the HTTP one returns: it must return only at the end.
        ListenOptions wrapped = EventLoopOptions(async (socket, token) =>
        {
            bool keep = await inner(socket, token);
            returned = true;
            return keep;
        });
        await using (TestServer host = TestServer.StartTcp(wrapped))
        {
            await ServeTwiceAsync(host, cancellationToken, whileOpen: () => Assert.That(Volatile.Read(ref returned), Is.False));
            Assert.That(host.Server.RestingConnectionCount, Is.Zero);
        }

        ListenOptions blocking = EventLoopOptions(null);
        blocking.Connect = HttpHandler.Create(http, request =>
        {
            request.SendStatus(200);
            request.SendData(request.Path ?? string.Empty);
            return true;
        });
        await using (TestServer host = TestServer.StartTcp(blocking))
        {
            await ServeTwiceAsync(host, cancellationToken);
            Assert.That(host.Server.RestingConnectionCount, Is.Zero);
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task OnTheSocketEngineAConnectionDoesNotRest(CancellationToken cancellationToken)
    {
        var options = Options(TimeSpan.Zero);
        options.Pool.Transport = TransportKind.SocketEngine;
        await using TestServer host = Start(options, EchoPathAsync);
        await ServeTwiceAsync(host, cancellationToken);
        Assert.That(host.Server.RestingConnectionCount, Is.Zero);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ABurstOfIdleConnectionsRestsAtOnceAndEachWakesToItsOwnInput(CancellationToken cancellationToken)
    {
        // With more of a loop's HTTP states out than it keeps, an idle connection rests without waiting out the delay
        // (here a minute), and its input pipe goes back to the loop for the next connection's use.
        const int connections = 300;
        int crowdedAtLeast = connections - (EventLoopGroup.LoopCount * Http1ConnectionPool.MaxKeptPerLoop);
        await using TestServer host = Start(Options(TimeSpan.FromMinutes(1), idleTimeout: TimeSpan.FromMinutes(5)), EchoPathAsync);
        var clients = new List<TestClient>();
        try
        {
            for (int i = 0; i < connections; i++)
            {
                TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
                clients.Add(client);
                await client.SendAsync($"GET /first{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"first{i}"));
            }

            await WaitUntilAsync(() => host.Server.RestingConnectionCount >= crowdedAtLeast, "the crowded connections rest", cancellationToken);

            // Every connection, rested or not, is served its own next request (sent in reverse order, bodies of many sizes).
            for (int i = connections - 1; i >= 0; i--)
            {
                string body = new('b', i * 37 % 5000);
                await clients[i].SendAsync($"POST /second{i} HTTP/1.1\r\nHost: test\r\nContent-Length: {body.Length}\r\n\r\n{body}", cancellationToken);
            }

            for (int i = 0; i < connections; i++)
            {
                Assert.That((await clients[i].ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"second{i}"));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        Assert.That(host.ServerErrors, Is.Empty);
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AWaitThatRunsOutIntoARestThrowsNothing(CancellationToken cancellationToken)
    {
        // The idle wait ends as a read result: a thrown and caught OperationCanceledException per rest cost a resting
        // keep-alive connection more CPU than the request it had waited for.
        await using TestServer host = Start(Options(s_restSoon), EchoPathAsync);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "the connection rests", cancellationToken);
        int thrownOnLoops = 0;
        EventHandler<System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs> count = (_, e) =>
        {
            if (e.Exception is OperationCanceledException && Thread.CurrentThread.Name?.StartsWith("Moonbridge loop", StringComparison.Ordinal) == true)
            {
                Interlocked.Increment(ref thrownOnLoops);
            }
        };
        AppDomain.CurrentDomain.FirstChanceException += count;
        try
        {
            for (int i = 0; i < 5; i++)
            {
                await client.SendAsync($"GET /q{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"q{i}"));
                await WaitUntilAsync(() => host.Server.RestingConnectionCount == 1, "the connection rests again", cancellationToken);
            }
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= count;
        }

        Assert.That(thrownOnLoops, Is.Zero);
    }

    [Test]
    public void ANegativeDelayIsRefused()
    {
        var options = new HttpOptions { IdleRestDelay = TimeSpan.FromSeconds(-2) };
        Assert.That(() => HttpHandler.Create(options, EchoPathAsync), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Message.Contains("IdleRestDelay"));
        options.IdleRestDelay = Timeout.InfiniteTimeSpan;
        Assert.That(() => HttpHandler.Create(options, EchoPathAsync), Throws.Nothing);
    }

    private static async Task ServeTwiceAsync(TestServer host, CancellationToken cancellationToken, Action? whileOpen = null)
    {
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        for (int i = 0; i < 2; i++)
        {
            await client.SendAsync($"GET /t{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"t{i}"));

            // Long enough for a rest that should not happen to have happened.
            Assert.That(client.HasInputWithin(TimeSpan.FromMilliseconds(100)), Is.False);
            Assert.That(host.Server.RestingConnectionCount, Is.Zero);
        }

        whileOpen?.Invoke();
    }

    private static async ValueTask<bool> EchoPathAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        request.SendStatus(200);
        await request.SendDataAsync(request.Path ?? string.Empty);
        return true;
    }

    private static HttpOptions HttpOptions(TimeSpan restDelay, TimeSpan? idleTimeout)
    {
        HttpOptions http = TestServer.BoundedHttpOptions();
        http.IdleRestDelay = restDelay;
        http.IdleTimeout = idleTimeout ?? http.IdleTimeout;
        return http;
    }

    /// <summary>An event-loop pool whose HTTP handler, added by <see cref="Start"/>, rests after <paramref name="restDelay"/>.</summary>
    private static (ListenOptions Pool, HttpOptions Http) Options(TimeSpan restDelay, TimeSpan? idleTimeout = null)
        => (EventLoopOptions(null), HttpOptions(restDelay, idleTimeout));

    private static ListenOptions EventLoopOptions(AsyncConnectHandler? connectAsync)
    {
        ListenOptions options = TestServer.Options(connectAsync);
        options.Transport = TransportKind.EventLoop;
        return options;
    }

    private static TestServer Start((ListenOptions Pool, HttpOptions Http) options, AsyncHttpRequestHandler handler)
    {
        options.Pool.ConnectAsync = HttpHandler.Create(options.Http, handler);
        return TestServer.StartTcp(options.Pool);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken)
    {
        Infrastructure.Deadline deadline = Infrastructure.Deadline.Start();
        while (!condition())
        {
            deadline.ThrowIfPassed(what);
            await Task.Delay(5, cancellationToken);
        }
    }
}
