using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>Waiting for the next change: immediate when already newer, woken by a change or the end, cancellable, shared by many.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ProgressEntryWaitingTests
{
    [Test]
    public async Task AWaitForAnOlderVersionCompletesAtOnce()
    {
        var entry = new ProgressEntry("abc");
        entry.AddReceived(5);

        ValueTask<ProgressSnapshot> wait = entry.WaitForChangeAsync(afterVersion: 1);

        Assert.That(wait.IsCompletedSuccessfully, Is.True);
        Assert.That((await wait).Received, Is.EqualTo(5));
    }

    [Test]
    public async Task AWaitAfterTheEndCompletesAtOnceWithTheFinalState()
    {
        var entry = new ProgressEntry("abc");
        entry.Complete(200);
        long finalVersion = entry.Snapshot().Version;

        ValueTask<ProgressSnapshot> wait = entry.WaitForChangeAsync(finalVersion);

        Assert.That(wait.IsCompletedSuccessfully, Is.True);
        Assert.That((await wait).State, Is.EqualTo(ProgressState.Done));
    }

    [Test]
    public async Task AWaitWakesOnTheNextChange(CancellationToken cancellationToken)
    {
        var entry = new ProgressEntry("abc");
        ValueTask<ProgressSnapshot> wait = entry.WaitForChangeAsync(afterVersion: 1, cancellationToken);
        Assert.That(wait.IsCompleted, Is.False);

        entry.AddReceived(7);

        ProgressSnapshot snapshot = await wait;
        Assert.That((snapshot.Received, snapshot.Version), Is.EqualTo((7L, 2L)));
    }

    [Test]
    public async Task AWaitWakesWhenTheRequestEnds(CancellationToken cancellationToken)
    {
        var entry = new ProgressEntry("abc");
        ValueTask<ProgressSnapshot> wait = entry.WaitForChangeAsync(afterVersion: 1, cancellationToken);

        entry.Abort();

        ProgressSnapshot snapshot = await wait;
        Assert.That(snapshot.State, Is.EqualTo(ProgressState.Error));
    }

    [Test]
    public void AWaitEndsWhenItsTokenIsCancelled()
    {
        var entry = new ProgressEntry("abc");
        using var cancellation = new CancellationTokenSource();
        ValueTask<ProgressSnapshot> wait = entry.WaitForChangeAsync(afterVersion: 1, cancellation.Token);

        cancellation.Cancel();

        Assert.That(async () => await wait, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void AWaitWithAnAlreadyCancelledTokenFailsAtOnceWhenNothingChanged()
    {
        var entry = new ProgressEntry("abc");

        ValueTask<ProgressSnapshot> wait = entry.WaitForChangeAsync(afterVersion: 1, new CancellationToken(canceled: true));

        Assert.That(wait.IsCanceled, Is.True);
    }

    [Test]
    public async Task AThousandConcurrentWaitersAreAllWokenByOneChange(CancellationToken cancellationToken)
    {
        var entry = new ProgressEntry("abc");
        var waits = new Task<ProgressSnapshot>[1_000];
        for (int i = 0; i < waits.Length; i++)
        {
            waits[i] = entry.WaitForChangeAsync(afterVersion: 1, cancellationToken).AsTask();
        }

        Assert.That(waits.Count(wait => wait.IsCompleted), Is.Zero);

        entry.AddSent(42);

        ProgressSnapshot[] snapshots = await Task.WhenAll(waits);
        Assert.That(snapshots.Select(snapshot => snapshot.Sent), Is.All.EqualTo(42));
    }

    [Test]
    public async Task AWatcherLoopSeesEveryStepUpToTheEndWithoutMissingAChange(CancellationToken cancellationToken)
    {
        var entry = new ProgressEntry("abc");
        Task<List<ProgressSnapshot>> watcher = WatchUntilFinishedAsync(entry, cancellationToken);

        await Task.Run(
            () =>
            {
                for (int i = 0; i < 10_000; i++)
                {
                    entry.AddReceived(1);
                }

                entry.Complete(200);
            },
            cancellationToken);

        List<ProgressSnapshot> seen = await watcher;
        Assert.That(seen[^1].State, Is.EqualTo(ProgressState.Done));
        Assert.That(seen[^1].Received, Is.EqualTo(10_000));
        Assert.That(seen.Select(snapshot => snapshot.Version), Is.Ordered.Ascending);
    }

    [Test]
    public async Task AChangeRacingTheStartOfAWaitIsNeverLost(CancellationToken cancellationToken)
    {
        // Each round starts a wait while another thread makes the one change it waits for; a change
        // landing between the wait's first look and its subscription must still wake it.
        for (int round = 0; round < 20_000; round++)
        {
            var entry = new ProgressEntry("abc");
            Task change = Task.Run(() => entry.AddReceived(1), cancellationToken);

            ProgressSnapshot snapshot = await entry.WaitForChangeAsync(afterVersion: 1, cancellationToken).AsTask()
                .WaitAsync(TestTimeouts.Wait, cancellationToken);

            Assert.That(snapshot.Received, Is.EqualTo(1), $"round {round}");
            await change;
        }
    }

    private static async Task<List<ProgressSnapshot>> WatchUntilFinishedAsync(ProgressEntry entry, CancellationToken cancellationToken)
    {
        var seen = new List<ProgressSnapshot>();
        long version = 0;
        while (true)
        {
            ProgressSnapshot snapshot = await entry.WaitForChangeAsync(version, cancellationToken);
            seen.Add(snapshot);
            if (snapshot.IsFinished)
            {
                return seen;
            }

            version = snapshot.Version;
        }
    }
}
