using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>The in-process table: no hijacking, reusable finished ids, expiry, and a bound that never fails an upload.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class InMemoryProgressStoreTests
{
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _clock = new();

    [Test]
    public async Task ARegisteredRequestCanBeReadByItsId()
    {
        InMemoryProgressStore store = NewStore();
        var entry = new ProgressEntry("upload-1");
        entry.AddReceived(10);

        Assert.That(await store.TryAddAsync(entry), Is.True);

        ProgressSnapshot snapshot = await store.GetAsync("upload-1");
        Assert.That((snapshot.State, snapshot.Received), Is.EqualTo((ProgressState.Running, 10L)));
    }

    [Test]
    public async Task AnUnknownIdReadsAsUnknown()
    {
        Assert.That(await NewStore().GetAsync("nobody"), Is.EqualTo(ProgressSnapshot.Unknown));
    }

    [Test]
    public async Task IdsAreCaseSensitive()
    {
        InMemoryProgressStore store = NewStore();
        await store.TryAddAsync(new ProgressEntry("Abc"));

        Assert.That((await store.GetAsync("abc")).State, Is.EqualTo(ProgressState.Unknown));
    }

    [Test]
    public async Task ARunningIdCannotBeTakenOverByAnotherRequest()
    {
        InMemoryProgressStore store = NewStore();
        var first = new ProgressEntry("same");
        first.AddReceived(1);
        await store.TryAddAsync(first);

        bool hijacked = await store.TryAddAsync(new ProgressEntry("same"));

        Assert.That(hijacked, Is.False);
        Assert.That((await store.GetAsync("same")).Received, Is.EqualTo(1));
    }

    [Test]
    public async Task TheSameEntryCannotBeAddedTwice()
    {
        InMemoryProgressStore store = NewStore();
        var entry = new ProgressEntry("once");
        await store.TryAddAsync(entry);

        Assert.That(await store.TryAddAsync(entry), Is.False);
        Assert.That(store.Count, Is.EqualTo(1));
    }

    [Test]
    public async Task AnEntryThatAlreadyEndedIsNotRegistered()
    {
        InMemoryProgressStore store = NewStore();
        var entry = new ProgressEntry("late");
        entry.Abort();

        Assert.That(await store.TryAddAsync(entry), Is.False);
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task AFinishedIdIsVisibleUntilItsTtlAndThenUnknown()
    {
        InMemoryProgressStore store = NewStore();
        var entry = new ProgressEntry("done-1");
        await store.TryAddAsync(entry);
        entry.Complete(200);
        await store.ReleaseAsync(entry, ExpiresFromNow());

        _clock.Advance(s_ttl - TimeSpan.FromTicks(1));
        Assert.That((await store.GetAsync("done-1")).State, Is.EqualTo(ProgressState.Done));

        _clock.Advance(TimeSpan.FromTicks(1));
        Assert.That((await store.GetAsync("done-1")).State, Is.EqualTo(ProgressState.Unknown));
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task ARunningEntryNeverExpires()
    {
        InMemoryProgressStore store = NewStore();
        await store.TryAddAsync(new ProgressEntry("slow"));

        _clock.Advance(TimeSpan.FromDays(1));

        Assert.That((await store.GetAsync("slow")).State, Is.EqualTo(ProgressState.Running));
    }

    [Test]
    public async Task ReleasingARunningEntryAbortsIt()
    {
        InMemoryProgressStore store = NewStore();
        var entry = new ProgressEntry("cut");
        await store.TryAddAsync(entry);

        await store.ReleaseAsync(entry, ExpiresFromNow());

        Assert.That(await store.GetAsync("cut"), Is.EqualTo(entry.Snapshot()));
        Assert.That((entry.Snapshot().State, entry.Snapshot().Status), Is.EqualTo((ProgressState.Error, 0)));
    }

    [Test]
    public async Task AReleaseWithAnExpiryInThePastRemovesTheEntryNow()
    {
        InMemoryProgressStore store = NewStore();
        var entry = new ProgressEntry("gone");
        await store.TryAddAsync(entry);

        await store.ReleaseAsync(entry, _clock.GetUtcNow());

        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task AFinishedIdCannotBeTakenOverBeforeItExpires()
    {
        InMemoryProgressStore store = NewStore();
        var first = new ProgressEntry("retry");
        await store.TryAddAsync(first);
        first.Complete(500);
        await store.ReleaseAsync(first, ExpiresFromNow());
        _clock.Advance(s_ttl - TimeSpan.FromMilliseconds(1));

        var second = new ProgressEntry("retry");
        Assert.That(await store.TryAddAsync(second), Is.False);

        Assert.That((await store.GetAsync("retry")).State, Is.EqualTo(ProgressState.Error), "the owner still reads its own outcome");
    }

    [Test]
    public async Task AFinishedIdCanBeReusedAfterItExpires()
    {
        InMemoryProgressStore store = NewStore();
        var first = new ProgressEntry("again");
        await store.TryAddAsync(first);
        await store.ReleaseAsync(first, ExpiresFromNow());
        _clock.Advance(s_ttl);

        Assert.That(await store.TryAddAsync(new ProgressEntry("again")), Is.True);
    }

    [Test]
    public async Task AnEndedButNotYetReleasedIdCannotBeTakenOverEither()
    {
        InMemoryProgressStore store = NewStore();
        var first = new ProgressEntry("race");
        await store.TryAddAsync(first);
        first.Complete(200);
        var second = new ProgressEntry("race");

        Assert.That(await store.TryAddAsync(second), Is.False);
        await store.ReleaseAsync(first, ExpiresFromNow());

        Assert.That((await store.GetAsync("race")).State, Is.EqualTo(ProgressState.Done));
    }

    [Test]
    public async Task AFullTableOfRunningRequestsRefusesNewIds()
    {
        InMemoryProgressStore store = NewStore(capacity: 2);
        await store.TryAddAsync(new ProgressEntry("a"));
        await store.TryAddAsync(new ProgressEntry("b"));

        Assert.That(await store.TryAddAsync(new ProgressEntry("c")), Is.False);
        Assert.That(store.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task AFullTableEvictsTheFinishedEntryThatExpiresFirstToMakeRoom()
    {
        InMemoryProgressStore store = NewStore(capacity: 3);
        ProgressEntry older = await AddAndReleaseAsync(store, "older");
        _clock.Advance(TimeSpan.FromSeconds(1));
        await AddAndReleaseAsync(store, "newer");
        await store.TryAddAsync(new ProgressEntry("running"));

        Assert.That(await store.TryAddAsync(new ProgressEntry("incoming")), Is.True);

        Assert.That(older.State, Is.EqualTo(ProgressState.Done));
        Assert.That((await store.GetAsync("older")).State, Is.EqualTo(ProgressState.Unknown));
        Assert.That((await store.GetAsync("newer")).State, Is.EqualTo(ProgressState.Done));
        Assert.That((await store.GetAsync("running")).State, Is.EqualTo(ProgressState.Running));
        Assert.That((await store.GetAsync("incoming")).State, Is.EqualTo(ProgressState.Running));
    }

    [Test]
    public async Task ExpiredEntriesMakeRoomBeforeAnyUnexpiredOneIsEvicted()
    {
        InMemoryProgressStore store = NewStore(capacity: 2);
        await AddAndReleaseAsync(store, "expiring", TimeSpan.FromSeconds(1));
        await AddAndReleaseAsync(store, "lasting", TimeSpan.FromMinutes(5));
        _clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await store.TryAddAsync(new ProgressEntry("incoming")), Is.True);

        Assert.That((await store.GetAsync("lasting")).State, Is.EqualTo(ProgressState.Done));
    }

    [Test]
    public async Task EntriesReleasedWithDifferentTtlsExpireInExpiryOrder()
    {
        InMemoryProgressStore store = NewStore();
        await AddAndReleaseAsync(store, "long", TimeSpan.FromMinutes(10));
        await AddAndReleaseAsync(store, "short", TimeSpan.FromSeconds(5));

        _clock.Advance(TimeSpan.FromSeconds(5));

        Assert.That(store.RemoveExpired(), Is.EqualTo(1));
        Assert.That((await store.GetAsync("short")).State, Is.EqualTo(ProgressState.Unknown));
        Assert.That((await store.GetAsync("long")).State, Is.EqualTo(ProgressState.Done));
    }

    [Test]
    public async Task ATableFullOfFinishedEntriesKeepsAcceptingNewUploads()
    {
        InMemoryProgressStore store = NewStore(capacity: 10);
        for (int i = 0; i < 1_000; i++)
        {
            ProgressEntry entry = new($"u{i}");
            Assert.That(await store.TryAddAsync(entry), Is.True, $"upload {i}");
            entry.Complete(200);
            await store.ReleaseAsync(entry, ExpiresFromNow());
        }

        Assert.That(store.Count, Is.EqualTo(10));
        Assert.That((await store.GetAsync("u999")).State, Is.EqualTo(ProgressState.Done));
        Assert.That((await store.GetAsync("u989")).State, Is.EqualTo(ProgressState.Unknown));
    }

    [Test]
    public async Task WaitingOnAnUnknownIdAnswersUnknownAtOnce()
    {
        ValueTask<ProgressSnapshot> wait = NewStore().WaitForChangeAsync("nobody", afterVersion: 0);

        Assert.That(wait.IsCompletedSuccessfully, Is.True);
        Assert.That(await wait, Is.EqualTo(ProgressSnapshot.Unknown));
    }

    [Test]
    public async Task WaitingThroughTheStoreWakesOnTheEntrysNextChange(CancellationToken cancellationToken)
    {
        InMemoryProgressStore store = NewStore();
        var entry = new ProgressEntry("watched");
        await store.TryAddAsync(entry, cancellationToken);
        ValueTask<ProgressSnapshot> wait = store.WaitForChangeAsync("watched", afterVersion: 1, cancellationToken);

        entry.AddReceived(3);

        Assert.That((await wait).Received, Is.EqualTo(3));
    }

    [Test]
    public void CapacityBelowOneIsRefused()
    {
        Assert.That(() => new InMemoryProgressStore(0), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void TheDefaultCapacityIsTenThousand()
    {
        Assert.That(new InMemoryProgressStore().Capacity, Is.EqualTo(10_000));
    }

    [Test]
    public async Task ConcurrentRegistrationsOfOneIdLetExactlyOneWin()
    {
        InMemoryProgressStore store = NewStore();

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 64).Select(_ => Task.Run(() => store.TryAddAsync(new ProgressEntry("contested")).AsTask())));

        Assert.That(results.Count(added => added), Is.EqualTo(1));
    }

    private InMemoryProgressStore NewStore(int capacity = InMemoryProgressStore.DefaultCapacity) => new(capacity, _clock);

    private DateTimeOffset ExpiresFromNow(TimeSpan? ttl = null) => _clock.GetUtcNow() + (ttl ?? s_ttl);

    private async Task<ProgressEntry> AddAndReleaseAsync(InMemoryProgressStore store, string id, TimeSpan? ttl = null)
    {
        var entry = new ProgressEntry(id);
        Assert.That(await store.TryAddAsync(entry), Is.True);
        entry.Complete(200);
        await store.ReleaseAsync(entry, ExpiresFromNow(ttl));
        return entry;
    }
}
