using System.Diagnostics;
using System.Net.Sockets;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class AbortDuringStopTests
{
    [Test]
    [CancelAfter(20_000)]
    public async Task AbortDuringAGracefulStopEndsTheGracePeriodAtOnce(CancellationToken cancellationToken)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(async (socket, ct) =>
        {
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }

            return true;
        });
        TestServer host = TestServer.StartTcp(options);
        try
        {
            using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
            await entered.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

            Task graceful = host.Server.StopAsync(TimeSpan.FromMinutes(1));
            Assert.That(graceful.IsCompleted, Is.False, "the graceful stop waits for the running handler");
            var stopwatch = Stopwatch.StartNew();
            Task aborted = host.Server.Abort();

            await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            await aborted.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            Assert.That(aborted, Is.SameAs(graceful), "one stop, cut short");
            Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "not the minute of grace");
            ConnectionEnd end = await client.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            Assert.That(end.Reset, Is.True, "the aborted handler's connection is reset");
        }
        finally
        {
            await host.DisposeAsync();
        }
    }
}
