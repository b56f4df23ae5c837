using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Progress.Operations;

namespace Moonbridge.Net.Tests.Progress.Operations;

[TestFixture]
public sealed class OperationUnitTests
{
    private static readonly string[] s_expectedNames = ["processing", "respond-async", "wait", "handling"];

    [Test]
    public void PreferIsParsedPerRfc7240()
    {
        Preferences p = Preferences.Parse(["Processing , respond-async; WAIT=\"10\"", "wait=5, handling=lenient, wait=7", "", " ; =x, bad name"]);

        Assert.That(p.Contains("processing"), Is.True);
        Assert.That(p.Contains("PROCESSING"), Is.True);
        Assert.That(p.Find("respond-async")!.GetParameter("wait"), Is.EqualTo("10"));
        Assert.That(p.Find("wait")!.Value, Is.EqualTo("5"), "only the first occurrence counts");
        Assert.That(p.Find("handling")!.Value, Is.EqualTo("lenient"));
        Assert.That(p.Items.Select(i => i.Name), Is.EqualTo(s_expectedNames));
    }

    [Test]
    public void QuotedValuesMayHoldCommasAndSemicolons()
    {
        Preferences p = Preferences.Parse(["foo=\"a,b;c\\\"d\"; x=1, processing"]);

        Assert.That(p.Find("foo")!.Value, Is.EqualTo("a,b;c\"d"));
        Assert.That(p.Find("foo")!.GetParameter("x"), Is.EqualTo("1"));
        Assert.That(p.Contains("processing"), Is.True);
    }

    [TestCase(0, null, null, "0/")]
    [TestCase(3, 10L, null, "3/10")]
    [TestCase(3, 10L, "Knitting sweaters", "3/10 \"Knitting sweaters\"")]
    [TestCase(1, 2L, "say \"hi\" \\ bye", "1/2 \"say \\\"hi\\\" \\\\ bye\"")]
    [TestCase(5, 16L, "食べて", "5/16 UTF-8''%E9%A3%9F%E3%81%B9%E3%81%A6")]
    [TestCase(1, 1L, "a\r\nb", "1/1 UTF-8''a%0D%0Ab")]
    public void ProgressHeaderIsFormattedAsTheDraftSays(long completed, long? total, string? remark, string expected)
        => Assert.That(ProgressHeader.Format(completed, total, remark), Is.EqualTo(expected));

    [Test]
    public void NumeratorsNeverDecreaseAndTotalsNeverFallBelowThem()
    {
        var entry = new OperationEntry(ProgressId.NewId(), "/job");
        entry.Report(5, 10, "a");
        entry.Report(3, 10, "b");
        Assert.That(entry.Snapshot().Completed, Is.EqualTo(5), "a lower numerator is clamped");
        Assert.That(entry.Snapshot().Remark, Is.EqualTo("b"));
        entry.Report(12, 10, null);
        Assert.That(entry.Snapshot().Total, Is.EqualTo(12));
        Assert.That(entry.Complete(OperationResult.Text("x")), Is.True);
        Assert.That(entry.Report(20, 20, null), Is.False, "reports after completion are ignored");
        Assert.That(entry.Complete(OperationResult.Text("y")), Is.False);
    }

    [Test]
    public async Task InMemoryStoreExpiresCompletedDocumentsOnTheInjectedClock()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryOperationStore(timeProvider: clock);
        var entry = new OperationEntry(ProgressId.NewId(), "/job");
        Assert.That(await store.TryAddAsync(entry), Is.True);
        Assert.That(await store.TryAddAsync(entry), Is.False, "a live id is not taken twice");
        await store.ReleaseAsync(entry, clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        entry.Complete(OperationResult.Text("x"));

        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.That(await store.GetAsync(entry.Id), Is.Not.Null);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await store.GetAsync(entry.Id), Is.Null);
        Assert.That(store.Count, Is.Zero);
    }

    [Test]
    public async Task AFullStoreEvictsCompletedDocumentsButNeverRunningOnes()
    {
        var store = new InMemoryOperationStore(capacity: 1);
        var first = new OperationEntry(ProgressId.NewId(), "/a");
        var second = new OperationEntry(ProgressId.NewId(), "/b");
        Assert.That(await store.TryAddAsync(first), Is.True);
        Assert.That(await store.TryAddAsync(second), Is.False, "the only document is running");
        await store.ReleaseAsync(first, DateTimeOffset.MaxValue);
        Assert.That(await store.TryAddAsync(second), Is.True);
        Assert.That(await store.GetAsync(first.Id), Is.Null);
    }

    [Test]
    public async Task AFullStoreEvictsTheCompletedDocumentClosestToExpiryNotTheFirstReleased()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryOperationStore(capacity: 2, timeProvider: clock);
        var longLived = new OperationEntry(ProgressId.NewId(), "/a");
        var shortLived = new OperationEntry(ProgressId.NewId(), "/b");
        var newcomer = new OperationEntry(ProgressId.NewId(), "/c");
        Assert.That(await store.TryAddAsync(longLived), Is.True);
        Assert.That(await store.TryAddAsync(shortLived), Is.True);
        await store.ReleaseAsync(longLived, clock.GetUtcNow() + TimeSpan.FromMinutes(10));
        await store.ReleaseAsync(shortLived, clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        Assert.That(await store.TryAddAsync(newcomer), Is.True);
        Assert.That(await store.GetAsync(shortLived.Id), Is.Null, "the document that would expire first made room");
        Assert.That(await store.GetAsync(longLived.Id), Is.Not.Null);
        Assert.That(store.Count, Is.EqualTo(2));
    }

    [Test]
    public async Task ALaterReleaseMovesADocumentsExpiry()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryOperationStore(timeProvider: clock);
        var entry = new OperationEntry(ProgressId.NewId(), "/job");
        Assert.That(await store.TryAddAsync(entry), Is.True);
        await store.ReleaseAsync(entry, clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        await store.ReleaseAsync(entry, clock.GetUtcNow() + TimeSpan.FromMinutes(1));

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await store.GetAsync(entry.Id), Is.Not.Null);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await store.GetAsync(entry.Id), Is.Null);
    }

    [Test]
    public async Task RemovingAnswersWhetherALiveDocumentWasThere()
    {
        var clock = new FakeTimeProvider();
        var store = new InMemoryOperationStore(timeProvider: clock);
        var live = new OperationEntry(ProgressId.NewId(), "/a");
        var expired = new OperationEntry(ProgressId.NewId(), "/b");
        Assert.That(await store.TryAddAsync(live), Is.True);
        Assert.That(await store.TryAddAsync(expired), Is.True);
        await store.ReleaseAsync(expired, clock.GetUtcNow() + TimeSpan.FromSeconds(1));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.That(await store.RemoveAsync(live.Id), Is.True);
        Assert.That(await store.RemoveAsync(expired.Id), Is.False, "an expired document is as good as gone");
        Assert.That(await store.RemoveAsync("unknown"), Is.False);
        Assert.That(store.Count, Is.Zero);
        Assert.That(await store.TryAddAsync(live), Is.True, "a removed id is free again");
    }

    [Test]
    public void ResultRejectsFramingHeadersAndBodiesOn204() =>
        Assert.Multiple(() =>
        {
            Assert.Throws<ArgumentException>(() => _ = new OperationResult(200, default, [new("Content-Length", "3")]));
            Assert.Throws<ArgumentException>(() => _ = new OperationResult(200, default, [new("X-Bad", "a\r\nb")]));
            Assert.Throws<ArgumentException>(() => _ = new OperationResult(204, new byte[] { 1 }));
        });
}
