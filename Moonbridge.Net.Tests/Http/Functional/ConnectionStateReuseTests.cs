using Moonbridge.Net.Http;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>
/// The HTTP state of a connection that ended serves its event loop's next connection (and a keep-alive connection that
/// rested takes a set again when its client speaks). Nothing of one client's exchange may show in another's, and a
/// request object a handler kept past its connection's end must fail loudly rather than reach the next connection.
/// </summary>
[TestFixture]
public sealed class ConnectionStateReuseTests
{
    private const string RichRequest =
        "POST /rich?a=1&b=2 HTTP/1.1\r\nHost: test\r\nCookie: s=secret\r\nX-Custom: one\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "6\r\nsecret\r\n0\r\nX-Trailer: t\r\n\r\n";

    [TestCase(TransportKind.EventLoop, 0)]
    [TestCase(TransportKind.EventLoop, 50)]
    [TestCase(TransportKind.SocketEngine, 50)]
    [CancelAfter(60_000)]
    public async Task NothingOfOneConnectionsExchangeShowsInTheNext(TransportKind transport, int restDelayMs, CancellationToken cancellationToken)
    {
        if (transport == TransportKind.EventLoop && !OperatingSystem.IsLinux())
        {
            Assert.Ignore("The event-loop transport needs Linux.");
        }

        await using TestServer host = Start(transport, TimeSpan.FromMilliseconds(restDelayMs), DescribeAsync);
        string? plain = null;
        for (int i = 0; i < 24; i++)
        {
            // New connections one after another: each loop's kept state is taken over by the next connection dealt to it.
            using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
            bool rich = i % 3 == 0;
            await client.SendAsync(rich ? RichRequest : "GET /plain HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            string described = (await client.ReadResponseAsync(cancellationToken)).BodyText;
            if (rich)
            {
                Assert.That(described, Is.EqualTo("POST rich?a=1&b=2 cookies=1 custom=one body=6 trailers=1 query=2"));
            }
            else
            {
                Assert.That(described, Is.EqualTo("GET plain cookies=0 custom=- body=0 trailers=0 query=0"), $"connection {i}");
                plain ??= described;
            }

            if (i % 2 == 0)
            {
                // Half of them ask again on the same connection after a rest (when the delay lets it rest at all).
                await Task.Delay(restDelayMs * 2, cancellationToken);
                await client.SendAsync("GET /again HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
                Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("GET again cookies=0 custom=- body=0 trailers=0 query=0"));
            }
        }

        Assert.That(host.ServerErrors, Is.Empty);
    }

    [TestCase(TransportKind.EventLoop)]
    [TestCase(TransportKind.SocketEngine)]
    [CancelAfter(30_000)]
    public async Task ARequestKeptPastItsConnectionsEndThrowsInsteadOfServingAnother(TransportKind transport, CancellationToken cancellationToken)
    {
        if (transport == TransportKind.EventLoop && !OperatingSystem.IsLinux())
        {
            Assert.Ignore("The event-loop transport needs Linux.");
        }

        HttpRequest? kept = null;
        string? seenThroughKept = null;
        await using TestServer host = Start(transport, TimeSpan.FromSeconds(1), async (request, token) =>
        {
            if (kept is null)
            {
                kept = request;
            }
            else
            {
                seenThroughKept = Describe(() => kept.Path) + " " + Describe(() => kept.SendStatus(200));
            }

            request.SendStatus(200);
            await request.SendDataAsync(request.Path ?? string.Empty);
            return true;
        });

        using (TestClient first = await TestClient.ConnectAsync(host.Port, cancellationToken))
        {
            await first.SendAsync("GET /first HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
            Assert.That((await first.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("first"));
            await first.ReadToEndAsync(cancellationToken);
        }

        Infrastructure.Deadline ended = Infrastructure.Deadline.Start();
        while (host.Server.ActiveHandlerCount != 0)
        {
            ended.ThrowIfPassed("the first connection's handler call ends");
            await Task.Delay(5, cancellationToken);
        }

        // Each of the next connections may take over the first one's state (one per loop): none may be reached through the old request.
        for (int i = 0; i < 4; i++)
        {
            using TestClient next = await TestClient.ConnectAsync(host.Port, cancellationToken);
            await next.SendAsync($"GET /next{i} HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
            Assert.That((await next.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo($"next{i}"));
            Assert.That(seenThroughKept, Is.EqualTo("ObjectDisposedException ObjectDisposedException"));
        }

        Assert.That(() => kept!.Method, Throws.TypeOf<ObjectDisposedException>().With.Message.Contains("handler runs"));
        Assert.That(kept!.Socket, Is.Not.Null, "the socket is the connection's own and stays readable");
    }

    private static string Describe(Action use)
    {
        try
        {
            use();
            return "no exception";
        }
        catch (Exception e)
        {
            return e.GetType().Name;
        }
    }

    private static string Describe(Func<string?> read) => Describe(() => { _ = read(); });

    private static async ValueTask<bool> DescribeAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        byte[] body = await request.ReadBodyAsync(cancellationToken);
        IReadOnlyList<string> custom = request.Headers["X-Custom"];
        string described = $"{request.Method} {request.Path}{request.Query} cookies={request.Cookies.Count} custom={(custom.Count > 0 ? custom[0] : "-")} "
            + $"body={body.Length} trailers={request.Trailers.Count} query={request.GetParams.Count}";
        request.SendStatus(200);
        await request.SendDataAsync(described);
        return true;
    }

    private static TestServer Start(TransportKind transport, TimeSpan restDelay, AsyncHttpRequestHandler handler)
    {
        HttpOptions http = TestServer.BoundedHttpOptions();
        http.IdleRestDelay = restDelay;
        ListenOptions options = TestServer.Options(HttpHandler.Create(http, handler));
        options.Transport = transport;
        return TestServer.StartTcp(options);
    }
}
