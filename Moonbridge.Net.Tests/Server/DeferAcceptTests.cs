using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>
/// A TCP listener with <see cref="TcpListenerSpec.DeferAccept"/>: the kernel hands a connection over once its client
/// has sent something, and the event loop reads those first bytes at once (into a stack buffer, then the input pipe),
/// before the handler starts. What a client sees must not change: whole requests however large the first read,
/// keep-alive and pipelining after it, a client that sends and closes at once; a client that connects and stays silent
/// holds no handler until it speaks.
/// </summary>
[TestFixture]
public sealed class DeferAcceptTests
{
    private const int TestMilliseconds = 15_000;

    private static async ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string text = request.Method == "POST"
            ? (await request.ReadBodyAsync(cancellationToken)).Length.ToString(CultureInfo.InvariantCulture)
            : $"hello {request.Path}";
        request.SendStatus(200);
        request.SendHeader("Content-Length", text.Length.ToString(CultureInfo.InvariantCulture));
        await request.SendDataAsync(text);
        return true;
    }

    private static ListenOptions DeferredOptions(TimeSpan deferAccept)
    {
        ListenOptions options = TestServer.Options(connectAsync: HttpHandler.Create(TestServer.HttpOptions(), HandleAsync));
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0) with { DeferAccept = deferAccept });
        return options;
    }

    private static TestServer StartDeferred() => TestServer.Start(DeferredOptions(TimeSpan.FromSeconds(5)));

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task RequestsSentRightAfterConnectingAreServedPipelinedAndKeptAlive(CancellationToken cancellationToken)
    {
        await using TestServer server = StartDeferred();
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /one HTTP/1.1\r\nHost: test\r\n\r\nGET /two HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("hello one"));
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("hello two"));

        await client.SendAsync("GET /three HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("hello three"), "the kept connection reads on from its readiness events");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ARequestLargerThanTheFirstReadArrivesWhole(CancellationToken cancellationToken)
    {
        await using TestServer server = StartDeferred();
        using TestClient client = await server.ConnectAsync(cancellationToken);

        const int BodyLength = 300_000;
        await client.SendAsync($"POST /count HTTP/1.1\r\nHost: test\r\nContent-Length: {BodyLength}\r\n\r\n{new string('b', BodyLength)}", cancellationToken);

        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        Assert.That(response.BodyText, Is.EqualTo(BodyLength.ToString(CultureInfo.InvariantCulture)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AClientThatSendsAndClosesAtOnceGetsItsWholeAnswer(CancellationToken cancellationToken)
    {
        await using TestServer server = StartDeferred();
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /bye HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
        client.ShutdownSend();
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);

        Assert.That(end.Reset, Is.False);
        Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 OK\r\n").And.EndWith("\r\n\r\nhello bye"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ASilentClientHoldsNoHandlerUntilItSpeaks(CancellationToken cancellationToken)
    {
        Assume.That(OperatingSystem.IsLinux(), "TCP_DEFER_ACCEPT is Linux's.");
        await using TestServer server = StartDeferred();
        using TestClient client = await server.ConnectAsync(cancellationToken);

        // A negative observation needs a bounded look: without the option the loop accepts within a millisecond
        // and the connect handler runs at once (ActiveHandlerCount 1).
        using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            quiet.CancelAfter(TimeSpan.FromMilliseconds(300));
            while (!quiet.IsCancellationRequested)
            {
                Assert.That(server.Server.ActiveHandlerCount, Is.Zero, "a connection whose client has said nothing is not handed over");
                await Task.Delay(10, CancellationToken.None);
            }
        }

        await client.SendAsync("GET /late HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).BodyText, Is.EqualTo("hello late"));
    }

    [TestCase(0)]
    [TestCase(-1)]
    [TestCase(3601)]
    public void ADeferralThatIsNotPositiveOrLongerThanAnHourIsRefused(int seconds)
    {
        ListenOptions options = DeferredOptions(TimeSpan.FromSeconds(seconds));

        Assert.That(() => MoonbridgeServer.Listen(options), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("DeferAccept"));
    }
}
