using System.Collections.Concurrent;
using System.Diagnostics;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>Rules of <c>listen{...}</c> the original enforces: option adjustments and where Listen may be called.</summary>
[TestFixture]
public sealed class ListenRulesTests
{
    [Test]
    [CancelAfter(20_000)]
    public async Task AForkErrorDelayBelowForkDelayCountsAsForkDelay(CancellationToken cancellationToken)
    {
        var attempts = new ConcurrentQueue<long>();
        using var twoAttempts = new SemaphoreSlim(0);
        ListenOptions options = TestServer.Options(static (_, _) => ValueTask.FromResult(true));
        options.ForkDelay = TimeSpan.FromSeconds(0.6);
        options.ForkErrorDelay = TimeSpan.Zero;
        options.Prepare = _ =>
        {
            attempts.Enqueue(Stopwatch.GetTimestamp());
            twoAttempts.Release();
            throw new InvalidOperationException("prepare fails on purpose");
        };

        TestServer host = TestServer.StartTcp(options);
        try
        {
            Assert.That(await twoAttempts.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken), Is.True);
            Assert.That(await twoAttempts.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken), Is.True);
        }
        finally
        {
            await host.DisposeAsync();
        }

        long[] times = [.. attempts];
        TimeSpan gap = Stopwatch.GetElapsedTime(times[0], times[1]);
        Assert.That(gap, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(0.5)), "after a failed prepare the next start waits at least ForkDelay");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task ListenFromInsideAConnectHandlerThrows([Values] bool blocking, CancellationToken cancellationToken)
    {
        string Attempt()
        {
            ListenOptions nested = TestServer.Options(static (_, _) => ValueTask.FromResult(true));
            nested.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
            try
            {
                MoonbridgeServer started = MoonbridgeServer.Listen(nested);
                _ = started.Abort();
                return "started";
            }
            catch (InvalidOperationException)
            {
                return "refused";
            }
        }

        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                socket.Flush(Attempt() + "\n");
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                await Task.Yield();
                await socket.FlushAsync(Attempt() + "\n", ct);
                return true;
            });
        await using TestServer host = TestServer.StartTcp(options);

        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "go", cancellationToken), Is.EqualTo("refused"));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task ListenFromInsideAPrepareHandlerThrows(CancellationToken cancellationToken)
    {
        var outcome = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(static (_, _) => ValueTask.FromResult(true));
        options.Prepare = worker =>
        {
            ListenOptions nested = TestServer.Options(static (_, _) => ValueTask.FromResult(true));
            nested.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
            try
            {
                _ = MoonbridgeServer.Listen(nested).Abort();
                outcome.TrySetResult(null);
            }
            catch (Exception e)
            {
                outcome.TrySetResult(e);
            }
        };
        await using TestServer host = TestServer.StartTcp(options);

        Exception? thrown = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        Assert.That(thrown, Is.TypeOf<InvalidOperationException>());
    }
}
