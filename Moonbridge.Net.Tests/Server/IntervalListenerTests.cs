using System.Collections.Concurrent;
using System.Diagnostics;
using Moonbridge.Net.IO;
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
    [CancelAfter(15_000)]
    public async Task StrictRunsKeepAFixedScheduleWhileNonStrictRunsWaitADelayAfterEachRun(CancellationToken cancellationToken)
    {
        // Handler 150 ms, delay 200 ms: strict runs start every ~200 ms, non-strict every ~350 ms.
        Task<double> strict = MeanGapAsync(strict: true, cancellationToken);
        Task<double> nonStrict = MeanGapAsync(strict: false, cancellationToken);
        double strictMean = await strict;
        double nonStrictMean = await nonStrict;
        TestContext.Out.WriteLine($"mean gap between run starts: strict {strictMean:F0} ms, non-strict {nonStrictMean:F0} ms");

        Assert.That(strictMean, Is.InRange(200 * 0.6, 200 * 1.4), "strict mean gap (ms)");
        Assert.That(nonStrictMean, Is.InRange(350 * 0.6, 350 * 1.4), "non-strict mean gap (ms)");
        Assert.That(nonStrictMean - strictMean, Is.GreaterThan(75), "non-strict runs add the handler's time to the delay");
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

    /// <summary>Runs a 200 ms interval whose handler takes 150 ms and returns the mean gap between run starts, in ms.</summary>
    private static async Task<double> MeanGapAsync(bool strict, CancellationToken cancellationToken)
    {
        const int Runs = 5;
        var starts = new ConcurrentQueue<long>();
        using var enough = new SemaphoreSlim(0);
        ListenOptions options = TestServer.Options(async (MoonSocket socket, CancellationToken ct) =>
        {
            starts.Enqueue(Stopwatch.GetTimestamp());
            if (starts.Count == Runs)
            {
                enough.Release();
            }

            await Task.Delay(150, ct);
            return true;
        });
        options.Listeners.Add(ListenerSpec.Interval(strict ? "strict" : "loose", TimeSpan.FromMilliseconds(200), strict));
        await using (TestServer.Start(options))
        {
            Assert.That(await enough.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken), Is.True, $"{Runs} runs did not come (strict: {strict})");
        }

        long[] taken = [.. starts.Take(Runs)];
        return Stopwatch.GetElapsedTime(taken[0], taken[^1]).TotalMilliseconds / (Runs - 1);
    }
}
