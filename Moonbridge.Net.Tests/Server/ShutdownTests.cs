using System.Diagnostics;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class ShutdownTests
{
    [Test]
    [CancelAfter(20_000)]
    public async Task AGracefulStopLetsARunningHandlerCompleteItsResponse(CancellationToken cancellationToken)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledAtResponse = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        int prepared = 0;
        int finished = 0;
        ListenOptions options = TestServer.Options(async (socket, ct) =>
        {
            IoData line = await socket.ReadAsync(1024, '\n', ct);
            entered.TrySetResult();
            await release.Task.WaitAsync(cancellationToken);
            cancelledAtResponse.TrySetResult(ct.IsCancellationRequested);
            await socket.FlushAsync("response to " + line.Text, ct);
            return true;
        });
        options.Prepare = _ => Interlocked.Increment(ref prepared);
        options.Finish = _ => Interlocked.Increment(ref finished);
        TestServer host = TestServer.StartTcp(options);
        Task stopped = Task.CompletedTask;
        try
        {
            using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
            await client.SendAsync("request\n", cancellationToken);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

            stopped = host.Server.StopAsync(TimeSpan.FromSeconds(10));
            Assert.That(stopped.IsCompleted, Is.False, "the stop waits for the running handler");

            release.SetResult();
            ConnectionEnd end = await client.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            await stopped.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

            Assert.That((end.Text, end.Reset), Is.EqualTo(("response to request\n", false)));
            Assert.That(await cancelledAtResponse.Task, Is.False, "a handler finishing within the grace period is not cancelled");
            Assert.That(host.Server.Completion.IsCompletedSuccessfully, Is.True);
            Assert.That(host.Server.WorkerCount, Is.Zero);
            Assert.That(finished, Is.EqualTo(prepared).And.GreaterThan(0), "every prepared worker finished");
        }
        finally
        {
            release.TrySetResult();
            await host.DisposeAsync();
        }
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AStopWithAShortGracePeriodAbortsAStuckHandler([Values] bool blocking)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                entered.TrySetResult();
                socket.Read(1024, '\n'); // the client never sends: this blocks until the connection is aborted
                cancelled.TrySetResult(MoonbridgeServer.HandlerCancellation.IsCancellationRequested);
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                entered.TrySetResult();
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                finally
                {
                    cancelled.TrySetResult(ct.IsCancellationRequested);
                }

                return true;
            });
        TestServer host = TestServer.StartTcp(options);
        try
        {
            using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

            var clock = Stopwatch.StartNew();
            await host.Server.StopAsync(TimeSpan.FromMilliseconds(200)).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            TimeSpan took = clock.Elapsed;

            Assert.That(took, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(150)), "the stop waits out the grace period, then aborts (to the tick: PoolClockTests)");
            Assert.That(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.True, "the stuck handler's token is cancelled");
            ConnectionEnd end = await client.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            Assert.That(end.Data, Is.Empty);
            Assert.That(end.Reset, Is.True, "the aborted connection is reset");
            Assert.That(host.Server.Completion.IsCompletedSuccessfully, Is.True);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AbortStopsAtOnceAndCancelsRunningHandlers(CancellationToken cancellationToken)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(async (socket, ct) =>
        {
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            finally
            {
                cancelled.TrySetResult(ct.IsCancellationRequested);
            }

            return true;
        });
        options.ShutdownTimeout = TimeSpan.FromSeconds(30); // Abort must not wait for it
        TestServer host = TestServer.StartTcp(options);
        int port = host.Port;
        try
        {
            using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

            var clock = Stopwatch.StartNew();
            await host.Server.Abort().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
            Assert.That(await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.True);
            Assert.That((await client.ReadToEndAsync(cancellationToken)).Reset, Is.True);
            Assert.That(host.Server.Completion.IsCompletedSuccessfully, Is.True);
            Assert.That(
                async () => (await TestClient.ConnectAsync(port, cancellationToken)).Dispose(),
                Throws.InstanceOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused),
                "the listener is closed");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task StopAsyncOnAnIdleServerCompletesAndClosesTheListener(CancellationToken cancellationToken)
    {
        TestServer host = TestServer.StartTcp(TestServer.Options(EchoHandlers.EchoAsync));
        int port = host.Port;
        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "before", cancellationToken), Is.EqualTo("before"));

        Task first = host.Server.StopAsync();
        Task second = host.Server.StopAsync();
        await first.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

        Assert.That(second, Is.SameAs(first), "stopping twice joins the first stop");
        Assert.That(host.Server.Completion.IsCompletedSuccessfully, Is.True);
        Assert.That(
            async () => (await TestClient.ConnectAsync(port, cancellationToken)).Dispose(),
            Throws.InstanceOf<SocketException>());
    }
}
