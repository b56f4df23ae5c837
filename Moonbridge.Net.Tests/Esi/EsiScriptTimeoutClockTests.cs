using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Tests.Server;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>The script timeout on the pool's clock (<see cref="ListenOptions.TimeProvider"/>), advanced by the test or the script.</summary>
[TestFixture]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class EsiScriptTimeoutClockTests
{
    [Test]
    public async Task ASilentScriptGets504WhenTheClockReachesItsTimeoutAndNotATickBefore(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        var log = new EsiLogCapture();
        EsiOptions options = EsiServer.Options(log);
        var running = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task armed = clock.WhenArmedAsync(options.ScriptTimeout);
        await using TestServer host = Start(clock, options, EsiServer.One(async (session, environment, input, ct) =>
        {
            running.TrySetResult(ct);
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        }));
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        CancellationToken scriptToken = await running.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);
        await armed.WaitAsync(TestTimeouts.Wait, cancellationToken);
        clock.Advance(options.ScriptTimeout - TimeSpan.FromMilliseconds(1));
        Assert.That(scriptToken.IsCancellationRequested, Is.False, "a millisecond before the timeout");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.DoesNotThrowAsync(() => scriptToken.WhenCancelledAsync(cancellationToken), "the expiry cancels the script's token as the clock reaches it");
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.Status, Is.EqualTo("504 Gateway Timeout"));
        Assert.That(log.Has(LogLevel.Warning, 604), Is.True, log.ToString());
    }

    [Test]
    public async Task EachDeliveryRestartsTheClock(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        var log = new EsiLogCapture();
        EsiOptions options = EsiServer.Options(log);
        options.ScriptTimeout = TimeSpan.FromSeconds(1);
        await using TestServer host = Start(clock, options, EsiServer.One(async (session, environment, input, ct) =>
        {
            // Five pauses of 0.9 s on the clock: over four timeouts in all, never one between two deliveries.
            for (int i = 0; i < 5; i++)
            {
                clock.Advance(TimeSpan.FromMilliseconds(900));
                await session.DeliverAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), ct);
            }

            return null;
        }));
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("01234"));
        Assert.That(response.Trailers, Is.Empty);
        Assert.That(log.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty);
    }

    private static TestServer Start(TimeProvider clock, EsiOptions options, EsiModule module)
    {
        AsyncHttpRequestHandler handler = new EsiRouter(options).Map("/esi", module).ToRequestHandler();
        ListenOptions listen = TestServer.Options(connectAsync: HttpHandler.Create(TestServer.HttpOptions(), handler));
        listen.TimeProvider = clock;
        return TestServer.StartTcp(listen);
    }
}
