using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Redis.Internal;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// A store's one publishing loop serves all its records: a record its kind cannot describe (a snapshot or an encoding
/// that throws) is dropped with one error in the log, and the loop goes on publishing the others.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class RecordPublishingTests : RedisTestFixture
{
    [Test]
    public async Task ARecordThatCannotBeEncodedIsDroppedAndTheOthersArePublishedStill(CancellationToken cancellationToken)
    {
        using IConnectionMultiplexer redis = await RedisConnection.ConnectAsync(Redis.Configuration);
        var options = new RedisStoreOptions { KeyPrefix = Prefix(), PublishInterval = TimeSpan.FromMilliseconds(50) };
        var logger = new FakeLogger();
        await using RecordTable<Counter, long> table = await RecordTable<Counter, long>.CreateAsync(redis, new CounterKind(), options, logger, "test store");
        var good = new Counter("good");
        var bad = new Counter("bad");
        Assert.That(await table.TryClaimAsync(good, cancellationToken), Is.True);
        Assert.That(await table.TryClaimAsync(bad, cancellationToken), Is.True);

        // From now on the bad record's encoding throws, on every tick it is due.
        bad.Poisoned = true;
        bad.Value = 1;
        for (long value = 1; value <= 3; value++)
        {
            good.Value = value;
            await WaitForStoredAsync(table, "good", $"{value}", cancellationToken);
        }

        Assert.That(table.FindHeld("bad"), Is.Null, "the bad record is no longer held");
        Assert.That(table.FindHeld("good"), Is.SameAs(good));
        FakeLogRecord[] dropped = [.. logger.Collector.GetSnapshot().Where(r => r.Id.Id == 803)];
        Assert.That(dropped, Has.Length.EqualTo(1));
        Assert.That(dropped[0].Level, Is.EqualTo(LogLevel.Error));
        Assert.That(dropped[0].Message, Does.Contain("'bad'"));
        Assert.That(dropped[0].Exception, Is.TypeOf<InvalidOperationException>());
    }

    private static async Task WaitForStoredAsync(RecordTable<Counter, long> table, string id, string state, CancellationToken cancellationToken)
    {
        Infrastructure.Deadline deadline = Infrastructure.Deadline.Start();
        while ((await table.ReadAsync(id, cancellationToken))?.State != state)
        {
            deadline.ThrowIfPassed($"record '{id}' stored as {state}");
            await Task.Delay(10, cancellationToken);
        }
    }

    private sealed class Counter(string id)
    {
        public string Id { get; } = id;

        public long Value { get; set; }

        public bool Poisoned { get; set; }
    }

    private sealed class CounterKind : IRecordKind<Counter, long>
    {
        public string Name => "counter";

        public TimeSpan RunningTimeToLive => TimeSpan.FromMinutes(1);

        public string Id(Counter entry) => entry.Id;

        public long Snapshot(Counter entry) => entry.Poisoned ? -entry.Value : entry.Value;

        public long Version(long snapshot) => Math.Abs(snapshot);

        public bool IsFinished(long snapshot) => false;

        public string Encode(long snapshot)
            => snapshot < 0 ? throw new InvalidOperationException("This record cannot be described.") : snapshot.ToString(System.Globalization.CultureInfo.InvariantCulture);

        public void RemovedElsewhere(Counter entry)
        {
        }
    }
}
