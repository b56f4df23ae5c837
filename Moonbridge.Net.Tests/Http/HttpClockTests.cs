using System.Net.Sockets;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Tests.Server;

namespace Moonbridge.Net.Tests.Http;

/// <summary>
/// The HTTP connection's waits run on the pool's clock (<see cref="ListenOptions.TimeProvider"/>): a test clock
/// ends a begun head with 408 and closes an idle connection, without a wait on the wall clock.
/// </summary>
[TestFixture]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class HttpClockTests
{
    // Distinct from every other timer the pool arms, so that watching for the arming finds the connection's.
    private static readonly TimeSpan s_idle = TimeSpan.FromSeconds(47);
    private static readonly TimeSpan s_header = TimeSpan.FromSeconds(13);

    [Test]
    public async Task AHeadBegunButNotFinishedIsAnswered408WhenTheClockReachesTheHeaderTimeout([Values] bool blocking, CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        await using TestServer host = StartServer(clock, blocking);
        Task idleArmed = clock.WhenArmedAsync(s_idle);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await idleArmed.WaitAsync(TestTimeouts.Wait, cancellationToken);

        Task headerArmed = clock.WhenArmedAsync(s_header);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n", cancellationToken);
        await headerArmed.WaitAsync(TestTimeouts.Wait, cancellationToken);
        clock.Advance(s_header);

        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken).WaitAsync(TestTimeouts.Wait, cancellationToken);
        Assert.That(end.Text, Does.StartWith("HTTP/1.1 408 "));
        Assert.That(end.Text, Does.Contain("Timeout while receiving headers"));
    }

    [Test]
    public async Task AnIdleConnectionIsClosedSilentlyWhenTheClockReachesTheIdleTimeout([Values] bool blocking, CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        await using TestServer host = StartServer(clock, blocking);
        Task idleArmed = clock.WhenArmedAsync(s_idle);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await idleArmed.WaitAsync(TestTimeouts.Wait, cancellationToken);

        clock.Advance(s_idle);

        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken).WaitAsync(TestTimeouts.Wait, cancellationToken);
        Assert.That(end.Data, Is.Empty, "an idle connection gets no unsolicited 408");
        Assert.That(end.Reset, Is.False, "it is closed gracefully");
    }

    private static TestServer StartServer(TimeProvider clock, bool blocking)
    {
        var http = new HttpOptions { IdleTimeout = s_idle, RequestHeaderTimeout = s_header };
        ListenOptions options = blocking
            ? TestServer.Options(connect: HttpHandler.Create(http, Answer))
            : TestServer.Options(HttpHandler.Create(http, (request, _) => ValueTask.FromResult(Answer(request))));
        options.TimeProvider = clock;
        return TestServer.StartTcp(options);

        static bool Answer(HttpRequest request)
        {
            request.SendStatus(200);
            request.SendData("ok");
            return true;
        }
    }
}
