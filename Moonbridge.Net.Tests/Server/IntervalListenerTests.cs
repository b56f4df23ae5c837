using System.Collections.Concurrent;
using System.Diagnostics;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class IntervalListenerTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task ANonStrictIntervalFiresRepeatedlyWithItsName(CancellationToken cancellationToken)
    {
        var ticks = new ConcurrentQueue<(TimeSpan At, string? Interval, string? Main, bool HasConnection)>();
        using var ticked = new SemaphoreSlim(0);
        var clock = Stopwatch.StartNew();
        ListenOptions options = TestServer.Options(connect: socket =>
        {
            ticks.Enqueue((clock.Elapsed, socket.Interval, socket.Main, socket.HasConnection));
            ticked.Release();
            return true;
        });
        options.Listeners.Add(ListenerSpec.Interval("tick", TimeSpan.FromMilliseconds(100)));
        await using TestServer host = TestServer.Start(options);

        for (int i = 0; i < 3; i++)
        {
            Assert.That(await ticked.WaitAsync(TimeSpan.FromSeconds(2), cancellationToken), Is.True, $"tick {i + 1} did not come");
        }

        TimeSpan third = ticks.ElementAt(2).At;
        Assert.That(ticks.First().At, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(80)), "the first run comes one delay after start");
        Assert.That(third, Is.LessThan(TimeSpan.FromSeconds(2)));
        Assert.That(ticks.Select(t => t.Interval), Has.All.EqualTo("tick"));
        Assert.That(ticks.Select(t => t.Main), Has.All.Null);
        Assert.That(ticks.Select(t => t.HasConnection), Has.All.False);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AnIntervalRunIsNotStartedAgainWhileThePreviousOneIsStillRunning(CancellationToken cancellationToken)
    {
        int running = 0;
        int overlapped = 0;
        using var ran = new SemaphoreSlim(0);
        ListenOptions options = TestServer.Options(async (socket, ct) =>
        {
            if (Interlocked.Increment(ref running) > 1)
            {
                Interlocked.Exchange(ref overlapped, 1);
            }

            await Task.Delay(120, ct); // longer than the delay
            Interlocked.Decrement(ref running);
            ran.Release();
            return true;
        });
        options.Listeners.Add(ListenerSpec.Interval("slow", TimeSpan.FromMilliseconds(30), strict: true));
        await using TestServer host = TestServer.Start(options);

        for (int i = 0; i < 4; i++)
        {
            Assert.That(await ran.WaitAsync(TimeSpan.FromSeconds(3), cancellationToken), Is.True);
        }

        Assert.That(overlapped, Is.Zero);
    }
}
