using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary><c>MoonbridgeServer.Timeout(...)</c> on the pool's clock: a test clock decides when it expires, to the tick.</summary>
[TestFixture]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class HandlerTimeoutClockTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task AHandlerIsAbortedWhenTheClockReachesItsTimeoutAndNotATickBefore([Values] bool blocking, CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        int calls = 0;
        var armed = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var readEnded = new TaskCompletionSource<IoStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                if (Interlocked.Increment(ref calls) > 1)
                {
                    return EchoHandlers.Echo(socket);
                }

                MoonbridgeServer.Timeout(s_timeout.TotalSeconds);
                armed.TrySetResult(MoonbridgeServer.HandlerCancellation);
                readEnded.TrySetResult(socket.Read(1024, '\n').Status); // the client never sends
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                if (Interlocked.Increment(ref calls) > 1)
                {
                    return await EchoHandlers.EchoAsync(socket, ct);
                }

                MoonbridgeServer.Timeout(s_timeout.TotalSeconds);
                armed.TrySetResult(ct);
                try
                {
                    readEnded.TrySetResult((await socket.ReadAsync(1024, '\n', ct)).Status);
                }
                catch (OperationCanceledException)
                {
                    readEnded.TrySetResult(IoStatus.Error);
                }

                return true;
            });
        options.MaxFork = 2;
        options.TimeProvider = clock;
        await using TestServer host = TestServer.StartTcp(options);

        using TestClient silent = await TestClient.ConnectAsync(host.Port, cancellationToken);
        CancellationToken handlerToken = await armed.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);

        clock.Advance(s_timeout - TimeSpan.FromMilliseconds(1));
        Assert.That(handlerToken.IsCancellationRequested, Is.False, "a millisecond before the timeout");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.DoesNotThrowAsync(() => handlerToken.WhenCancelledAsync(cancellationToken), "the expiry cancels the handler's token as the clock reaches it");

        ConnectionEnd end = await silent.ReadToEndAsync(cancellationToken).WaitAsync(TestTimeouts.Wait, cancellationToken);
        Assert.That(end.Reset, Is.True, "the timed-out connection is reset");
        Assert.That(await readEnded.Task.WaitAsync(TestTimeouts.Wait, cancellationToken), Is.EqualTo(IoStatus.Error));
        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "next", cancellationToken), Is.EqualTo("next"), "the server keeps serving");
    }

    [Test]
    public async Task TimeoutReadingsFollowTheClockExactly(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        var results = new TaskCompletionSource<double[]>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(connect: _ =>
        {
            try
            {
                double initial = MoonbridgeServer.Timeout();
                double setReturned = MoonbridgeServer.Timeout(5);
                clock.Advance(TimeSpan.FromSeconds(1));
                double afterASecond = MoonbridgeServer.Timeout();
                double inner = -1;
                MoonbridgeServer.Timeout(1, () =>
                {
                    inner = MoonbridgeServer.Timeout();
                    clock.Advance(TimeSpan.FromSeconds(0.5));
                    return 0;
                });
                double afterSubTimer = MoonbridgeServer.Timeout();
                double clearReturned = MoonbridgeServer.Timeout(0);
                double afterClear = MoonbridgeServer.Timeout();
                results.TrySetResult([initial, setReturned, afterASecond, inner, afterSubTimer, clearReturned, afterClear]);
            }
            catch (Exception e)
            {
                results.TrySetException(e);
            }

            return false;
        });
        options.Listeners.Add(ListenerSpec.Main());
        options.TimeProvider = clock;
        await using TestServer host = TestServer.Start(options);

        double[] readings = await results.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);

        // initial, Timeout(5)'s return, after 1 s, inside Timeout(1, f), after f took 0.5 s, Timeout(0)'s return, after it.
        Assert.That(readings, Is.EqualTo(new[] { 0, 0, 4, 1, 3.5, 3.5, 0 }));
    }

    [Test]
    public async Task AShorterOuterTimerExpiresInsideALongerSubTimer(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        var cancelledInside = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(connect: _ =>
        {
            MoonbridgeServer.Timeout(2);
            MoonbridgeServer.Timeout(10, () =>
            {
                clock.Advance(TimeSpan.FromSeconds(2));
                // Waited for, bounded: the clock may fire the timer on a pool thread that was running its timers just then.
                cancelledInside.TrySetResult(MoonbridgeServer.HandlerCancellation.WaitHandle.WaitOne(TestTimeouts.Wait));
                return 0;
            });
            return false;
        });
        options.Listeners.Add(ListenerSpec.Main());
        options.TimeProvider = clock;
        await using TestServer host = TestServer.Start(options);

        Assert.That(await cancelledInside.Task.WaitAsync(TestTimeouts.Wait, cancellationToken), Is.True);
    }
}
