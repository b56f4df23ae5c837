using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>The live record: counters, sizes, the single end, and the version that marks every change.</summary>
public sealed class ProgressEntryTests
{
    [Test]
    public void ANewEntryIsRunningWithNothingCountedAndVersionOne()
    {
        var entry = new ProgressEntry("abc");

        Assert.That(entry.Id, Is.EqualTo("abc"));
        Assert.That(entry.Snapshot(), Is.EqualTo(new ProgressSnapshot(ProgressState.Running, 0, null, 0, null, 0, 1)));
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("a/b")]
    public void AnInvalidIdIsRefused(string id)
    {
        Assert.That(() => new ProgressEntry(id), Throws.ArgumentException);
    }

    [Test]
    public void CountersAddUpAndSizesAreKept()
    {
        var entry = new ProgressEntry("abc");

        entry.SetRequestSize(200_000);
        entry.AddReceived(100_000);
        entry.AddReceived(23_456);
        entry.SetResponseSize(10);
        entry.AddSent(4);

        ProgressSnapshot snapshot = entry.Snapshot();
        Assert.That((snapshot.Received, snapshot.RequestSize, snapshot.Sent, snapshot.ResponseSize), Is.EqualTo((123_456L, (long?)200_000, 4L, (long?)10)));
    }

    [Test]
    public void ASizeCanBecomeUnknownAgain()
    {
        var entry = new ProgressEntry("abc");
        entry.SetResponseSize(10);

        entry.SetResponseSize(null);

        Assert.That(entry.Snapshot().ResponseSize, Is.Null);
    }

    [Test]
    public void NegativeCountsAndSizesAreRefused()
    {
        var entry = new ProgressEntry("abc");

        Assert.That(() => entry.AddReceived(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => entry.AddSent(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => entry.SetRequestSize(-1), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => entry.SetResponseSize(-5), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase(101, ProgressState.Done)]
    [TestCase(200, ProgressState.Done)]
    [TestCase(204, ProgressState.Done)]
    [TestCase(301, ProgressState.Error)]
    [TestCase(303, ProgressState.Error)]
    [TestCase(304, ProgressState.Error)]
    [TestCase(399, ProgressState.Error)]
    [TestCase(400, ProgressState.Error)]
    [TestCase(404, ProgressState.Error)]
    [TestCase(413, ProgressState.Error)]
    [TestCase(500, ProgressState.Error)]
    [TestCase(599, ProgressState.Error)]
    public void CompleteIsDoneFor2xxAndErrorOtherwise(int status, ProgressState expected)
    {
        var entry = new ProgressEntry("abc");

        bool ended = entry.Complete(status);

        Assert.That(ended, Is.True);
        Assert.That((entry.Snapshot().State, entry.Snapshot().Status), Is.EqualTo((expected, status)));
        Assert.That(entry.IsRunning, Is.False);
    }

    [TestCase(0)]
    [TestCase(99)]
    [TestCase(600)]
    public void CompleteRefusesAStatusOutsideTheHttpRange(int status)
    {
        Assert.That(() => new ProgressEntry("abc").Complete(status), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void AbortIsAnErrorWithoutStatus()
    {
        var entry = new ProgressEntry("abc");
        entry.AddReceived(5);

        bool ended = entry.Abort();

        Assert.That(ended, Is.True);
        Assert.That(entry.Snapshot(), Is.EqualTo(new ProgressSnapshot(ProgressState.Error, 5, null, 0, null, 0, 3)));
    }

    [Test]
    public void TheFirstEndWinsAndLaterEndsChangeNothing()
    {
        var entry = new ProgressEntry("abc");
        entry.Complete(201);
        ProgressSnapshot final = entry.Snapshot();

        Assert.That(entry.Abort(), Is.False);
        Assert.That(entry.Complete(500), Is.False);
        Assert.That(entry.Snapshot(), Is.EqualTo(final));
    }

    [Test]
    public void AbortAfterAnErrorStatusKeepsThatStatus()
    {
        var entry = new ProgressEntry("abc");
        entry.Complete(413);

        entry.Abort();

        Assert.That((entry.Snapshot().State, entry.Snapshot().Status), Is.EqualTo((ProgressState.Error, 413)));
    }

    [Test]
    public void UpdatesAfterTheEndAreIgnored()
    {
        var entry = new ProgressEntry("abc");
        entry.AddReceived(10);
        entry.Complete(200);
        ProgressSnapshot final = entry.Snapshot();

        entry.AddReceived(1);
        entry.AddSent(1);
        entry.SetRequestSize(99);
        entry.SetResponseSize(99);

        Assert.That(entry.Snapshot(), Is.EqualTo(final));
    }

    [Test]
    public void EveryChangeRaisesTheVersionByOne()
    {
        var entry = new ProgressEntry("abc");
        var versions = new List<long> { entry.Snapshot().Version };
        Action[] changes =
        [
            () => entry.SetRequestSize(100),
            () => entry.AddReceived(1),
            () => entry.AddReceived(2),
            () => entry.SetResponseSize(3),
            () => entry.AddSent(3),
            () => entry.Complete(200),
        ];

        foreach (Action change in changes)
        {
            change();
            versions.Add(entry.Snapshot().Version);
        }

        Assert.That(versions, Is.EqualTo(new long[] { 1, 2, 3, 4, 5, 6, 7 }));
    }

    [Test]
    public void UpdatesThatChangeNothingKeepTheVersion()
    {
        var entry = new ProgressEntry("abc");
        entry.SetRequestSize(100);
        long version = entry.Snapshot().Version;

        entry.AddReceived(0);
        entry.AddSent(0);
        entry.SetRequestSize(100);
        entry.SetResponseSize(null);

        Assert.That(entry.Snapshot().Version, Is.EqualTo(version));
    }

    [Test]
    public void ConcurrentUpdatesLoseNoBytesAndTheVersionCountsEachOfThem()
    {
        var entry = new ProgressEntry("abc");
        const int Threads = 8;
        const int UpdatesPerThread = 10_000;

        Parallel.For(0, Threads, _ =>
        {
            for (int i = 0; i < UpdatesPerThread; i++)
            {
                entry.AddReceived(3);
                entry.AddSent(1);
            }
        });

        ProgressSnapshot snapshot = entry.Snapshot();
        Assert.That(snapshot.Received, Is.EqualTo(3L * Threads * UpdatesPerThread));
        Assert.That(snapshot.Sent, Is.EqualTo(1L * Threads * UpdatesPerThread));
        Assert.That(snapshot.Version, Is.EqualTo(1 + (2L * Threads * UpdatesPerThread)));
    }

    [Test]
    public void VersionsSeenByAReaderNeverDecreaseWhileAWriterCounts()
    {
        var entry = new ProgressEntry("abc");
        using var stop = new CancellationTokenSource();
        Task writer = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                entry.AddReceived(1);
            }
        });

        long previousVersion = 0;
        long previousReceived = 0;
        bool monotonic = true;
        for (int i = 0; i < 100_000; i++)
        {
            ProgressSnapshot snapshot = entry.Snapshot();
            monotonic &= snapshot.Version >= previousVersion && snapshot.Received >= previousReceived;

            // The figures are at least as new as the version: each AddReceived(1) adds one version.
            monotonic &= snapshot.Received >= snapshot.Version - 1;
            (previousVersion, previousReceived) = (snapshot.Version, snapshot.Received);
        }

        stop.Cancel();
        writer.Wait(TimeSpan.FromSeconds(5));
        Assert.That(monotonic, Is.True);
    }
}
