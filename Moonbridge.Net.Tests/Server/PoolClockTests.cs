using System.Collections.Concurrent;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>
/// The pool's own timeouts (shutdown grace, close flush, idle worker retirement, interval schedule) on
/// <see cref="ListenOptions.TimeProvider"/>: each test advances a test clock once the server waits on it.
/// </summary>
[TestFixture]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class PoolClockTests
{
    [Test]
    public async Task AGracefulStopAbortsAStuckHandlerWhenTheClockReachesTheShutdownTimeout(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(async (socket, ct) =>
        {
            using CancellationTokenRegistration registration = ct.Register(cancelled.SetResult);
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            return true;
        });
        options.ShutdownTimeout = TimeSpan.FromMinutes(1);
        options.TimeProvider = clock;
        await using TestServer host = TestServer.StartTcp(options);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await entered.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);

        Task graceArmed = clock.WhenArmedAsync(options.ShutdownTimeout);
        Task stopped = host.Server.StopAsync();
        await graceArmed.WaitAsync(TestTimeouts.Wait, cancellationToken);
        clock.Advance(options.ShutdownTimeout - TimeSpan.FromMilliseconds(1));
        Assert.That(cancelled.Task.IsCompleted, Is.False, "the handler keeps its grace period");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        await cancelled.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);
        await stopped.WaitAsync(TestTimeouts.Wait, cancellationToken);
        Assert.That((await client.ReadToEndAsync(cancellationToken)).Reset, Is.True, "the aborted connection is reset");
    }

    [Test]
    public async Task AConnectionThatCannotBeFlushedIsResetWhenTheClockReachesTheCloseTimeout(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        var written = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options((socket, ct) =>
        {
            // More than the kernel's buffers hold: the client reads nothing, so closing must wait to flush.
            socket.FlushNb(new byte[16 << 20]);
            written.TrySetResult();
            return ValueTask.FromResult(true);
        });
        options.CloseTimeout = TimeSpan.FromSeconds(10);
        options.TimeProvider = clock;
        await using TestServer host = TestServer.StartTcp(options);

        Task closeArmed = clock.WhenArmedAsync(options.CloseTimeout);
        using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
        client.Socket.ReceiveBufferSize = 4096;
        await written.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);
        await closeArmed.WaitAsync(TestTimeouts.Wait, cancellationToken);

        clock.Advance(options.CloseTimeout);

        Assert.That((await client.ReadToEndAsync(cancellationToken).WaitAsync(TestTimeouts.Wait, cancellationToken)).Reset, Is.True);
    }

    [Test]
    public async Task AnIdleWorkerRetiresWhenTheClockReachesTheIdleTimeout(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        var prepared = new ConcurrentQueue<int>();
        var finished = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(connect: EchoHandlers.Echo);
        options.PreFork = 1;
        options.MinFork = 1;
        options.IdleTimeout = TimeSpan.FromSeconds(10);
        options.Prepare = worker => prepared.Enqueue(worker.Id);
        options.Finish = worker => finished.TrySetResult(worker.Id);
        options.TimeProvider = clock;

        // The pool's upkeep naps a second at a time (a quarter of the idle timeout, at most a second); it naps only with its spare idle.
        TimeSpan nap = TimeSpan.FromSeconds(1);
        Task napping = clock.WhenArmedAsync(nap);
        await using TestServer host = TestServer.StartTcp(options);
        await napping.WaitAsync(TestTimeouts.Wait, cancellationToken);

        napping = clock.WhenArmedAsync(nap);
        clock.Advance(options.IdleTimeout - nap);
        await napping.WaitAsync(TestTimeouts.Wait, cancellationToken);
        Assert.That(finished.Task.IsCompleted, Is.False, "idle for less than the idle timeout");

        clock.Advance(nap);
        int retired = await finished.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);

        Assert.That(retired, Is.EqualTo(prepared.First()), "the first worker retired");
    }

    [Test]
    public async Task StrictRunsKeepAFixedScheduleWhileNonStrictRunsWaitADelayAfterEachRun(CancellationToken cancellationToken)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(200);
        TimeSpan run = TimeSpan.FromMilliseconds(150);

        double[] strict = await RunStartsAsync(strict: true, delay, run, [delay, delay - run, delay - run], cancellationToken);
        double[] nonStrict = await RunStartsAsync(strict: false, delay, run, [delay, delay, delay], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(strict, Is.EqualTo(new double[] { 200, 400, 600 }), "strict run starts (ms)");
            Assert.That(nonStrict, Is.EqualTo(new double[] { 200, 550, 900 }), "non-strict run starts (ms): each waits a delay after the run");
        });
    }

    [Test]
    public void APoolWithoutAClockIsRefused()
    {
        ListenOptions options = TestServer.Options(connect: EchoHandlers.Echo);
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        options.TimeProvider = null!;

        Assert.That(() => MoonbridgeServer.Listen(options), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo(nameof(ListenOptions.TimeProvider)));
    }

    /// <summary>Serves an interval listener whose runs take <paramref name="run"/> on the clock; returns when the runs started.</summary>
    private static async Task<double[]> RunStartsAsync(bool strict, TimeSpan delay, TimeSpan run, TimeSpan[] waits, CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        DateTimeOffset start = clock.GetUtcNow();
        var starts = new ConcurrentQueue<double>();
        using var ran = new SemaphoreSlim(0);
        ListenOptions options = TestServer.Options(connect: _ =>
        {
            starts.Enqueue((clock.GetUtcNow() - start).TotalMilliseconds);
            clock.Advance(run);
            ran.Release();
            return true;
        });
        options.Listeners.Add(ListenerSpec.Interval("tick", delay, strict));
        options.TimeProvider = clock;

        Task armed = clock.WhenArmedAsync(waits[0]);
        await using TestServer host = TestServer.Start(options);
        for (int i = 0; i < waits.Length; i++)
        {
            await armed.WaitAsync(TestTimeouts.Wait, cancellationToken);
            if (i + 1 < waits.Length)
            {
                armed = clock.WhenArmedAsync(waits[i + 1]);
            }

            clock.Advance(waits[i]);
            Assert.That(await ran.WaitAsync(TestTimeouts.Wait, cancellationToken), Is.True, $"run {i + 1} did not come");
        }

        return [.. starts];
    }
}
