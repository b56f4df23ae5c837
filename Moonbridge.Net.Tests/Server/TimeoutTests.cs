using System.Diagnostics;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class TimeoutTests
{
    [Test]
    [CancelAfter(20_000)]
    public async Task AHandlerBlockedPastItsTimeoutIsAbortedAndTheServerKeepsServing([Values] bool blocking)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        int calls = 0;
        var timedOutRead = new TaskCompletionSource<IoStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenCancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                if (Interlocked.Increment(ref calls) > 1)
                {
                    return EchoHandlers.Echo(socket);
                }

                MoonbridgeServer.Timeout(0.3);
                IoData read = socket.Read(1024, '\n'); // the client never sends
                timedOutRead.TrySetResult(read.Status);
                tokenCancelled.TrySetResult(MoonbridgeServer.HandlerCancellation.IsCancellationRequested);
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                if (Interlocked.Increment(ref calls) > 1)
                {
                    return await EchoHandlers.EchoAsync(socket, ct);
                }

                MoonbridgeServer.Timeout(0.3);
                try
                {
                    IoData read = await socket.ReadAsync(1024, '\n', ct);
                    timedOutRead.TrySetResult(read.Status);
                }
                catch (OperationCanceledException)
                {
                    timedOutRead.TrySetResult(IoStatus.Error);
                }

                tokenCancelled.TrySetResult(ct.IsCancellationRequested);
                return true;
            });
        options.MaxFork = 2;
        await using TestServer host = TestServer.StartTcp(options);

        var clock = Stopwatch.StartNew();
        using TestClient silent = await TestClient.ConnectAsync(host.Port, cancellationToken);
        ConnectionEnd end = await silent.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        TimeSpan endedAfter = clock.Elapsed;

        Assert.That(end.Data, Is.Empty);
        Assert.That(end.Reset, Is.True, "the timed-out connection is reset");
        Assert.That(endedAfter, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250)), "not before the timeout (the exact moment: HandlerTimeoutClockTests)");
        Assert.That(await timedOutRead.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.EqualTo(IoStatus.Error), "the blocked read ends with an error");
        Assert.That(await tokenCancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.True, "the handler's token is cancelled");

        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "next", cancellationToken), Is.EqualTo("next"));
        Assert.That(host.Server.Completion.IsCompleted, Is.False);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task TimeoutReturnsTheValuesTheOriginalReturns(CancellationToken cancellationToken)
    {
        var results = new TaskCompletionSource<TimeoutReadings>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(connect: _ =>
        {
            try
            {
                var r = new TimeoutReadings
                {
                    Initial = MoonbridgeServer.Timeout(),
                    SetFiveReturned = MoonbridgeServer.Timeout(5),
                    AfterSetFive = MoonbridgeServer.Timeout(),
                };
                double inner = -1;
                r.SubTimerResult = MoonbridgeServer.Timeout(1, () =>
                {
                    inner = MoonbridgeServer.Timeout();
                    return 42;
                });
                r.InsideSubTimer = inner;
                r.AfterSubTimer = MoonbridgeServer.Timeout();
                r.ClearReturned = MoonbridgeServer.Timeout(0);
                r.AfterClear = MoonbridgeServer.Timeout();
                r.UnarmedSubTimerResult = MoonbridgeServer.Timeout(2, () => MoonbridgeServer.Timeout());
                r.AfterUnarmedSubTimer = MoonbridgeServer.Timeout();
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

        TimeoutReadings readings = await results.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(readings.Initial, Is.Zero, "Timeout() with no timer");
            Assert.That(readings.SetFiveReturned, Is.Zero, "Timeout(5) returns the previous (no) timer");
            Assert.That(readings.AfterSetFive, Is.GreaterThan(4).And.LessThanOrEqualTo(5));
            Assert.That(readings.SubTimerResult, Is.EqualTo(42), "Timeout(n, f) returns f's result");
            Assert.That(readings.InsideSubTimer, Is.GreaterThan(0.5).And.LessThanOrEqualTo(1), "the sub-timer is in force inside f");
            Assert.That(readings.AfterSubTimer, Is.GreaterThan(3.5).And.LessThanOrEqualTo(5), "the outer timer is restored after f");
            Assert.That(readings.ClearReturned, Is.GreaterThan(3.5).And.LessThanOrEqualTo(5), "Timeout(0) returns what was left");
            Assert.That(readings.AfterClear, Is.Zero);
            Assert.That(readings.UnarmedSubTimerResult, Is.GreaterThan(1).And.LessThanOrEqualTo(2), "without an outer timer, Timeout(n, f) arms n");
            Assert.That(readings.AfterUnarmedSubTimer, Is.Zero, "and disarms it afterwards");
        });
    }

    [Test]
    public void TimeoutOutsideAHandlerThrows()
    {
        Assert.That(() => MoonbridgeServer.Timeout(), Throws.InvalidOperationException);
        Assert.That(() => MoonbridgeServer.Timeout(1), Throws.InvalidOperationException);
    }

    private sealed class TimeoutReadings
    {
        public double Initial { get; init; }

        public double SetFiveReturned { get; init; }

        public double AfterSetFive { get; init; }

        public int SubTimerResult { get; set; }

        public double InsideSubTimer { get; set; }

        public double AfterSubTimer { get; set; }

        public double ClearReturned { get; set; }

        public double AfterClear { get; set; }

        public double UnarmedSubTimerResult { get; set; }

        public double AfterUnarmedSubTimer { get; set; }
    }
}
