using System.Diagnostics;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.Limits;

/// <summary>
/// Under the default pool options (MaxFork 16, ForkDelay 0.25 s), connections waiting for their client
/// hold no worker, and workers for waiting requests start in a burst: neither idle keep-alive connections
/// nor a burst of slow requests keep a new client waiting.
/// </summary>
[TestFixture]
public sealed class ParkedConnectionTests
{
    private const int IdleConnections = 200;
    private const int BusyConnections = 16;

    [Test]
    [CancelAfter(60_000)]
    public async Task ANewClientIsServedAtOnceBeside200IdleKeepAliveConnectionsAnd16BusyOnes(CancellationToken cancellationToken)
    {
        ListenOptions options = DefaultPool(HttpHandler.Create(TestServer.BoundedHttpOptions(), HandleAsync));
        await using TestServer host = TestServer.StartTcp(options);
        var idle = new List<TestClient>();
        using var stopBusy = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task[] busy = [];
        try
        {
            for (int i = 0; i < IdleConnections; i++)
            {
                TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
                idle.Add(client);
                await client.SendAsync($"GET /idle{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"idle{i}"));
            }

            busy = [.. Enumerable.Range(0, BusyConnections).Select(i => KeepBusyAsync(host.Port, stopBusy.Token))];

            // Every idle connection is still open (the server holds it), yet none holds a worker.
            Assert.That(host.Server.ActiveHandlerCount, Is.GreaterThanOrEqualTo(IdleConnections));
            Assert.That(host.Server.WorkerCount, Is.LessThanOrEqualTo(16));

            double[] latencies = new double[5];
            for (int i = 0; i < latencies.Length; i++)
            {
                long started = Stopwatch.GetTimestamp();
                using TestClient fresh = await TestClient.ConnectAsync(host.Port, cancellationToken);
                await fresh.SendAsync($"GET /fresh{i} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
                Assert.That((await fresh.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"fresh{i}"));
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            TestContext.Out.WriteLine(FormattableString.Invariant($"New client beside {IdleConnections} idle and {BusyConnections} busy connections: {string.Join(", ", latencies.Select(l => $"{l:F1} ms"))}"));
            Assert.That(latencies.Max(), Is.LessThan(1000), "a new client is served within a second");

            // The idle connections still work, each resuming on whichever worker is free.
            foreach (int i in (int[])[0, IdleConnections / 2, IdleConnections - 1])
            {
                await idle[i].SendAsync($"GET /again{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                Assert.That((await idle[i].ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"again{i}"));
            }
        }
        finally
        {
            await stopBusy.CancelAsync();
            await Task.WhenAll(busy);
            foreach (TestClient client in idle)
            {
                client.Dispose();
            }
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ABurstOfSlowRequestsOnAFreshServerGetsItsWorkersAtOnce(CancellationToken cancellationToken)
    {
        const int Requests = 16;
        var handlerTime = TimeSpan.FromSeconds(1);
        ListenOptions options = DefaultPool(HttpHandler.Create(TestServer.BoundedHttpOptions(), async (request, ct) =>
        {
            await Task.Delay(handlerTime, ct);
            request.SendStatus(200);
            await request.SendDataAsync("slow");
            return true;
        }));
        await using TestServer host = TestServer.StartTcp(options);

        // One request first, so that the measurement is of the pool, not of the first run's compilation.
        using (TestClient warmUp = await TestClient.ConnectAsync(host.Port, cancellationToken))
        {
            await warmUp.SendAsync("GET /warm HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
            _ = await warmUp.ReadResponseAsync(cancellationToken);
        }

        long started = Stopwatch.GetTimestamp();
        double[] answered = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
            await client.SendAsync($"GET /slow{i} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
            Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("slow"));
            return Stopwatch.GetElapsedTime(started).TotalSeconds;
        }));
        TimeSpan elapsed = Stopwatch.GetElapsedTime(started);

        TestContext.Out.WriteLine(FormattableString.Invariant($"{Requests} concurrent 1 s requests on a fresh server (ForkDelay 0.25 s): all answered in {elapsed.TotalSeconds:F2} s ({string.Join(", ", answered.Order().Select(a => $"{a:F2}"))})"));

        // One start per ForkDelay would take 16 x 0.25 s = 4 s before the last handler even began.
        Assert.That(elapsed, Is.LessThan(TimeSpan.FromSeconds(3)));
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task ConnectionsThatHaveSentNothingYetHoldNoWorker(CancellationToken cancellationToken)
    {
        ListenOptions options = DefaultPool(HttpHandler.Create(TestServer.BoundedHttpOptions(), HandleAsync));
        options.PreFork = 0;
        options.MinFork = 0;
        options.MaxFork = 2;
        await using TestServer host = TestServer.StartTcp(options);
        var silent = new List<TestClient>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                silent.Add(await TestClient.ConnectAsync(host.Port, cancellationToken));
            }

            // Each silent connection took a worker only to find nothing to read, and gave it back.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(10));
            while (host.Server.ActiveHandlerCount < silent.Count)
            {
                await Task.Delay(10, deadline.Token);
            }

            using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
            client.Wait = TimeSpan.FromSeconds(1);
            await client.SendAsync("GET /talking HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("talking"));
            Assert.That(host.Server.WorkerCount, Is.LessThanOrEqualTo(2));

            // A silent connection that speaks at last is served like any other.
            await silent[^1].SendAsync("GET /late HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await silent[^1].ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("late"));
        }
        finally
        {
            foreach (TestClient client in silent)
            {
                client.Dispose();
            }
        }
    }

    [Test]
    [CancelAfter(30_000)]
    public async Task AHandlerThatReturnsFalseRetiresItsWorkerWhenTheConnectionParks(CancellationToken cancellationToken)
    {
        using var finished = new SemaphoreSlim(0);
        var workers = new List<string>();
        ListenOptions options = DefaultPool(HttpHandler.Create(TestServer.BoundedHttpOptions(), async (request, ct) =>
        {
            lock (workers)
            {
                workers.Add(WorkerContext.Current?.ToString() ?? "none");
            }

            request.SendStatus(200);
            await request.SendDataAsync(request.Path ?? string.Empty);
            return request.Path != "retire";
        }));
        options.Finish = _ => finished.Release();
        await using TestServer host = TestServer.StartTcp(options);

        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await client.SendAsync("GET /retire HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("retire"));

        // The connection is still open, waiting for its next request: its worker has been retired already.
        Assert.That(await finished.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken), Is.True, "the finish handler ran");

        await client.SendAsync("GET /next HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("next"));
        lock (workers)
        {
            Assert.That(workers, Has.Count.EqualTo(2).And.None.EqualTo("none"));
            Assert.That(workers[1], Is.Not.EqualTo(workers[0]), "the next request ran on another worker");
        }
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AKeepAliveConnectionThatParksBetweenRequestsAllocatesLittlePerRequest(CancellationToken cancellationToken)
    {
        const int WarmUp = 500;
        const int Measured = 2000;
        ListenOptions options = DefaultPool(HttpHandler.Create(TestServer.BoundedHttpOptions(), static (request, _) =>
        {
            request.SendStatus(200);
            return ValueTask.FromResult(true);
        }));
        await using TestServer host = TestServer.StartTcp(options);
        using var client = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true, ReceiveTimeout = 10_000, SendTimeout = 10_000 };
        await client.ConnectAsync(host.EndPoint, cancellationToken);
        byte[] request = "GET /a HTTP/1.1\r\nHost: test\r\n\r\n"u8.ToArray();
        byte[] buffer = new byte[4096];

        // Blocking calls on the test's thread: the client itself allocates nothing per request. Each request
        // is sent only after the previous response arrived, so the server parks between them.
        client.Send(request);
        int responseLength = ReceiveResponse(client, buffer, 0);
        for (int i = 0; i < WarmUp; i++)
        {
            client.Send(request);
            ReceiveResponse(client, buffer, responseLength);
        }

        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < Measured; i++)
        {
            client.Send(request);
            ReceiveResponse(client, buffer, responseLength);
        }

        double perRequest = (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)Measured;
        TestContext.Out.WriteLine(FormattableString.Invariant($"Process-wide allocation per keep-alive request (server parks and resumes each time): {perRequest:F1} B"));

        // Process-wide, so the test framework and the runtime's timers count too: measured at 240 to 720 B
        // with parking and the same without it, so parking adds nothing measurable. The
        // bound catches a per-request buffer or task chain, not a single small object.
        Assert.That(perRequest, Is.LessThan(2048));
    }

    /// <summary>Reads one response: up to the end of the head the first time, then <paramref name="length"/> bytes.</summary>
    private static int ReceiveResponse(System.Net.Sockets.Socket client, byte[] buffer, int length)
    {
        int received = 0;
        while (true)
        {
            int read = client.Receive(buffer, received, buffer.Length - received, System.Net.Sockets.SocketFlags.None);
            if (read == 0)
            {
                throw new EndOfStreamException("The server closed the connection.");
            }

            received += read;
            if (length > 0 ? received >= length : buffer.AsSpan(0, received).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return received;
            }
        }
    }

    [Test]
    public void TheConnectionLimitDefaultsToThousandsForAsyncPoolsAndToMaxForkForBlockingOnes()
    {
        var async = new ListenOptions { ConnectAsync = static (_, _) => ValueTask.FromResult(true) };
        var blocking = new ListenOptions { Connect = static _ => true };
        var explicitLimit = new ListenOptions { ConnectAsync = static (_, _) => ValueTask.FromResult(true), MaxConnections = 100 };

        Assert.That(async.EffectiveMaxConnections, Is.EqualTo(4096));
        Assert.That(blocking.EffectiveMaxConnections, Is.EqualTo(16));
        Assert.That(explicitLimit.EffectiveMaxConnections, Is.EqualTo(100));
    }

    /// <summary>The pool options as a user who sets none gets them, but for a short shutdown.</summary>
    private static ListenOptions DefaultPool(AsyncConnectHandler handler)
    {
        var options = new ListenOptions { Name = "defaults", ConnectAsync = handler, ShutdownTimeout = TimeSpan.FromSeconds(2) };
        Assert.That(options.EffectiveMaxFork, Is.EqualTo(16));
        Assert.That(options.ForkDelay, Is.EqualTo(TimeSpan.FromSeconds(0.25)));
        return options;
    }

    private static async ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.Path?.StartsWith("busy", StringComparison.Ordinal) == true)
        {
            await Task.Delay(50, cancellationToken);
        }

        request.SendStatus(200);
        await request.SendDataAsync(request.Path ?? string.Empty);
        return true;
    }

    /// <summary>A keep-alive connection that sends request after request, each holding a worker for a while.</summary>
    private static async Task KeepBusyAsync(int port, CancellationToken stop)
    {
        using TestClient client = await TestClient.ConnectAsync(port, stop);
        try
        {
            for (int i = 0; i < 10_000 && !stop.IsCancellationRequested; i++)
            {
                await client.SendAsync($"GET /busy{i} HTTP/1.1\r\nHost: test\r\n\r\n", stop);
                _ = await client.ReadResponseAsync(stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }
}
