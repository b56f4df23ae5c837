using System.Text;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Hosting;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>
/// What the transport choice (<c>ListenOptions.Transport</c>) changes: on the event loops an async handler continues on a
/// loop thread when its request arrives and a closed connection gives its loop slot back; on the socket engine nothing
/// runs on the loops. (The whole suite runs on both: CI sets <c>MOONBRIDGE_TRANSPORT=socket-engine</c> for its second run.)
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EventLoopTransportTests
{
    private const int TestMilliseconds = 20_000;
    private const string LoopThreadPrefix = "Moonbridge loop";

    [SetUp]
    public void RequireEpoll()
    {
        if (!EventLoopGroup.IsSupported)
        {
            Assert.Ignore("The event loops need Linux (epoll).");
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OnTheEventLoopsAnAsyncHandlerRunsOnALoopThread(CancellationToken cancellationToken)
    {
        string? thread = await HandlerThreadAsync(TransportKind.EventLoop, cancellationToken);

        Assert.That(thread, Does.StartWith(LoopThreadPrefix));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OnTheEventLoopsAConnectionsFirstRequestIsHandledOnItsOwnLoop(CancellationToken cancellationToken)
    {
        // A loop accepts the connection itself; the handler starts on the loop the connection was dealt to (the accepting
        // one, or another reached without the thread pool), before its first request is read.
        string? thread = null;
        string? ownLoop = null;
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (request, ct) =>
        {
            Volatile.Write(ref thread, Thread.CurrentThread.Name);
            Volatile.Write(ref ownLoop, $"{LoopThreadPrefix} {request.Socket.Connection!.Loop!.Index}");
            request.SendStatus(200);
            await request.SendDataAsync(Encoding.ASCII.GetBytes(request.Path ?? ""));
            return true;
        }, configure: options => options.Transport = TransportKind.EventLoop);
        for (int i = 0; i < 4; i++)
        {
            using TestClient client = await server.ConnectAsync(cancellationToken);
            await RoundTripAsync(client, $"/first{i}", cancellationToken);
            Assert.That(Volatile.Read(ref thread), Is.EqualTo(Volatile.Read(ref ownLoop)));
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OnTheSocketEngineNoHandlerRunsOnALoopThread(CancellationToken cancellationToken)
    {
        string? thread = await HandlerThreadAsync(TransportKind.SocketEngine, cancellationToken);

        Assert.That(thread ?? "", Does.Not.StartWith(LoopThreadPrefix));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ConnectionsClosedByEitherSideGiveTheirLoopSlotsBack(CancellationToken cancellationToken)
    {
        await using TestServer server = StartEchoServer(TransportKind.EventLoop, out _);
        using (TestClient warm = await server.ConnectAsync(cancellationToken))
        {
            await RoundTripAsync(warm, "/warm", cancellationToken);
        }

        // The listening socket keeps one slot of its own: its loop accepts the connections.
        await WaitForRegistrationsAsync(1, cancellationToken);
        var clients = new List<TestClient>();
        for (int i = 0; i < 20; i++)
        {
            TestClient client = await server.ConnectAsync(cancellationToken);
            clients.Add(client);
            await RoundTripAsync(client, $"/c{i}", cancellationToken);
        }

        Assert.That(Registrations(), Is.GreaterThanOrEqualTo(21), "each open connection holds a slot");

        // Half end from the client side, half with Connection: close from the server side.
        for (int i = 0; i < clients.Count; i++)
        {
            if (i % 2 == 0)
            {
                clients[i].Dispose();
            }
            else
            {
                await clients[i].SendAsync($"GET /bye HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
                ConnectionEnd end = await clients[i].ReadToEndAsync(cancellationToken);
                Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 "));
                clients[i].Dispose();
            }
        }

        await WaitForRegistrationsAsync(1, cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHandlerThatBlocksItsLoopIsReportedInTheLog(CancellationToken cancellationToken)
    {
        var log = new CapturingLoggerProvider();
        using ILoggerFactory loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(log));
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, ct) =>
        {
            // Blocking before the first await: on the event loops this holds up the loop itself.
            Thread.Sleep(TimeSpan.FromSeconds(2.5));
            request.SendStatus(200);
            return ValueTask.FromResult(true);
        }, configure: options =>
        {
            options.Transport = TransportKind.EventLoop;
            options.LoggerFactory = loggers;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);

        LogEntry stalled = await log.WaitForAsync(entry => entry.EventId.Id == 406).WaitAsync(cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(stalled.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(stalled.Message, Does.StartWith("Event loop ").And.Contain("blocks"));
            Assert.That(response.StatusCode, Is.EqualTo(200), "the blocked request is still answered");
        });
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATimeoutEndsAHandlerThatBlocksItsLoop(CancellationToken cancellationToken)
    {
        // timeout(n) is what ends a stuck handler; it must fire although the stuck handler holds its loop's timers too.
        int sleptOut = 0;
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, ct) =>
        {
            MoonbridgeServer.Timeout(0.5);
            Thread.Sleep(TimeSpan.FromSeconds(4));
            Volatile.Write(ref sleptOut, 1);
            return ValueTask.FromResult(true);
        }, configure: options => options.Transport = TransportKind.EventLoop);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);

        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(end.Reset, Is.True, "the timed-out handler's connection is reset");
            Assert.That(Volatile.Read(ref sleptOut), Is.Zero, "the reset came while the handler still blocked its loop");
        });
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TwoAcceptsWaitingOnOneLoopListenerEachGetAConnection(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        Task<MoonSocket> first = listener.AcceptAsync(cancellationToken).AsTask();
        Task<MoonSocket> second = listener.AcceptAsync(cancellationToken).AsTask();

        using var clientA = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        using var clientB = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await clientA.ConnectAsync(listener.LocalEndPoint, cancellationToken);
        await clientB.ConnectAsync(listener.LocalEndPoint, cancellationToken);
        MoonSocket[] accepted = await Task.WhenAll(first, second).WaitAsync(cancellationToken);

        Assert.That(accepted.Select(socket => ((System.Net.IPEndPoint)socket.RemoteEndPoint!).Port).Order(),
            Is.EqualTo(new[] { clientA, clientB }.Select(client => ((System.Net.IPEndPoint)client.LocalEndPoint!).Port).Order()));
        foreach (MoonSocket socket in accepted)
        {
            socket.Reset();
        }
    }

    private static async Task<string?> HandlerThreadAsync(TransportKind transport, CancellationToken cancellationToken)
    {
        await using TestServer server = StartEchoServer(transport, out Func<string?> lastThread);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        // Later requests arrive while the connection waits, and are handed over by whatever received them.
        for (int i = 0; i < 5; i++)
        {
            await RoundTripAsync(client, $"/r{i}", cancellationToken);
        }

        return lastThread();
    }

    private static TestServer StartEchoServer(TransportKind transport, out Func<string?> lastThread)
    {
        string? seen = null;
        lastThread = () => Volatile.Read(ref seen);
        return TestServer.StartHttp(TestServer.HttpOptions(), async (request, ct) =>
        {
            Volatile.Write(ref seen, Thread.CurrentThread.Name);
            request.SendStatus(200);
            await request.SendDataAsync(Encoding.ASCII.GetBytes(request.Path ?? ""));
            return true;
        }, configure: options => options.Transport = transport);
    }

    private static async Task RoundTripAsync(TestClient client, string path, CancellationToken cancellationToken)
    {
        await client.SendAsync($"GET {path} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        Assert.That(response.BodyText, Is.EqualTo(path.TrimStart('/')));
    }

    private static int Registrations() => EventLoopGroup.Started.Sum(loop => loop.Count);

    /// <summary>Slots are freed on the loops' threads after the close; wait for them, bounded by the test's token.</summary>
    private static async Task WaitForRegistrationsAsync(int expected, CancellationToken cancellationToken)
    {
        while (Registrations() != expected)
        {
            await Task.Delay(10, cancellationToken);
        }
    }
}
