using System.Diagnostics;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>
/// The sub-timer forms besides <c>Timeout(n, f)</c> with a result (TimeoutTests): <c>Timeout(n, action)</c>
/// and <c>TimeoutAsync(n, f)</c> follow the same rules (an earlier, shorter timer takes precedence and is
/// restored less the time spent; without one, n is armed and disarmed after), and TimeoutAsync's action
/// gets the handler's token, which its expiry cancels.
/// </summary>
[TestFixture]
public sealed class TimeoutFormTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TheActionAndAsyncSubTimersFollowTheRulesOfTimeoutWithAResult(CancellationToken cancellationToken)
    {
        var results = new TaskCompletionSource<Readings>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(async (_, token) =>
        {
            try
            {
                var r = new Readings();
                r.UnarmedAsync = await MoonbridgeServer.TimeoutAsync(2, async ct =>
                {
                    await Task.Yield();
                    return MoonbridgeServer.Timeout();
                });
                r.AfterUnarmedAsync = MoonbridgeServer.Timeout();

                MoonbridgeServer.Timeout(5);
                r.ShorterAsync = await MoonbridgeServer.TimeoutAsync(1, ct => ValueTask.FromResult(MoonbridgeServer.Timeout()));
                r.AfterShorterAsync = MoonbridgeServer.Timeout();
                r.LongerAsync = await MoonbridgeServer.TimeoutAsync(60, ct => ValueTask.FromResult(MoonbridgeServer.Timeout()));
                r.GetsTheHandlerToken = await MoonbridgeServer.TimeoutAsync(1, ct => ValueTask.FromResult(ct == MoonbridgeServer.HandlerCancellation && ct == token));

                MoonbridgeServer.Timeout(1, () => r.InsideAction = MoonbridgeServer.Timeout());
                r.AfterAction = MoonbridgeServer.Timeout();
                MoonbridgeServer.Timeout(0);
                MoonbridgeServer.Timeout(2, () => r.UnarmedAction = MoonbridgeServer.Timeout());
                r.AfterUnarmedAction = MoonbridgeServer.Timeout();

                r.NullActionRefused = Refuses(() => MoonbridgeServer.Timeout(1, (Action)null!))
                    && Refuses(() => MoonbridgeServer.TimeoutAsync<int>(1, null!).AsTask());
                results.TrySetResult(r);
            }
            catch (Exception e)
            {
                results.TrySetException(e);
            }

            return false;
        });
        options.Listeners.Add(ListenerSpec.Main());
        await using TestServer host = TestServer.Start(options);

        Readings readings = await results.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(readings.UnarmedAsync, Is.GreaterThan(1).And.LessThanOrEqualTo(2), "without an outer timer, TimeoutAsync(n, f) arms n");
            Assert.That(readings.AfterUnarmedAsync, Is.Zero, "and disarms it afterwards");
            Assert.That(readings.ShorterAsync, Is.GreaterThan(0.5).And.LessThanOrEqualTo(1), "a shorter sub-timer is in force inside f");
            Assert.That(readings.AfterShorterAsync, Is.GreaterThan(3.5).And.LessThanOrEqualTo(5), "the outer timer is restored after f");
            Assert.That(readings.LongerAsync, Is.GreaterThan(3.5).And.LessThanOrEqualTo(5), "a longer sub-timer leaves the outer one in force");
            Assert.That(readings.GetsTheHandlerToken, Is.True, "f gets the handler's cancellation token");
            Assert.That(readings.InsideAction, Is.GreaterThan(0.5).And.LessThanOrEqualTo(1), "Timeout(n, action) runs the action under n");
            Assert.That(readings.AfterAction, Is.GreaterThan(3.5).And.LessThanOrEqualTo(5), "and restores the outer timer");
            Assert.That(readings.UnarmedAction, Is.GreaterThan(1).And.LessThanOrEqualTo(2), "without an outer timer, Timeout(n, action) arms n");
            Assert.That(readings.AfterUnarmedAction, Is.Zero, "and disarms it afterwards");
            Assert.That(readings.NullActionRefused, Is.True, "a null action is refused");
        });
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnAsyncSubTimerThatRunsOutCancelsTheActionAndResetsTheConnection(CancellationToken cancellationToken)
    {
        int calls = 0;
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(async (socket, token) =>
        {
            if (Interlocked.Increment(ref calls) > 1)
            {
                return await EchoHandlers.EchoAsync(socket, token);
            }

            try
            {
                outcome.TrySetResult(await MoonbridgeServer.TimeoutAsync(0.3, async ct =>
                {
                    await Task.Delay(Timeout.Infinite, ct);
                    return "ran on past its sub-timer";
                }));
            }
            catch (OperationCanceledException)
            {
                outcome.TrySetResult(token.IsCancellationRequested ? "cancelled" : "cancelled, but not the handler's token");
            }

            return true;
        });
        options.MaxFork = 2;
        await using TestServer host = TestServer.StartTcp(options);

        var clock = Stopwatch.StartNew();
        using TestClient silent = await TestClient.ConnectAsync(host.Port, cancellationToken);
        ConnectionEnd end = await silent.ReadToEndAsync(cancellationToken).WaitAsync(TestTimeouts.Wait, cancellationToken);

        Assert.That(end.Reset, Is.True, "the connection whose handler ran out of time is reset");
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)), "not before the sub-timer ran out");
        Assert.That(await outcome.Task.WaitAsync(TestTimeouts.Wait, cancellationToken), Is.EqualTo("cancelled"));
        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "still serving", cancellationToken), Is.EqualTo("still serving"));
    }

    private static bool Refuses(Action call)
    {
        try
        {
            call();
            return false;
        }
        catch (ArgumentNullException)
        {
            return true;
        }
    }

    private sealed class Readings
    {
        public double UnarmedAsync { get; set; }

        public double AfterUnarmedAsync { get; set; }

        public double ShorterAsync { get; set; }

        public double AfterShorterAsync { get; set; }

        public double LongerAsync { get; set; }

        public bool GetsTheHandlerToken { get; set; }

        public double InsideAction { get; set; }

        public double AfterAction { get; set; }

        public double UnarmedAction { get; set; }

        public double AfterUnarmedAction { get; set; }

        public bool NullActionRefused { get; set; }
    }
}
