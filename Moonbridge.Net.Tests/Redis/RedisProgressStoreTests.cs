using System.Diagnostics;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Tests.Infrastructure;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// <see cref="RedisProgressStore"/> against a real redis-server, with two stores on two connections standing for two
/// server instances: what one holds, the other reads and follows.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class RedisProgressStoreTests : RedisTestFixture
{
    [Test]
    public async Task AnUploadHeldByOneInstanceIsReadAndFollowedOnTheOther(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisProgressStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisProgressStore.CreateAsync);
        var entry = new ProgressEntry("upload-1");
        entry.SetRequestSize(1000);
        Assert.That(await pair.A.TryAddAsync(entry, cancellationToken), Is.True);

        ProgressSnapshot seen = await pair.B.WaitForChangeAsync("upload-1", 0, cancellationToken);
        Assert.That(seen.State, Is.EqualTo(ProgressState.Running));
        Assert.That(seen.RequestSize, Is.EqualTo(1000));

        var clock = Stopwatch.StartNew();
        entry.AddReceived(400);
        ProgressSnapshot changed = await pair.B.WaitForChangeAsync("upload-1", seen.Version, cancellationToken);
        TimeSpan latency = clock.Elapsed;
        Assert.That(changed.Received, Is.EqualTo(400));
        Assert.That(latency, Is.LessThan(TimeSpan.FromSeconds(2)), "a change reaches the other instance by pub/sub, at most one publish interval late");

        entry.AddReceived(600);
        entry.Complete(200);
        await pair.A.ReleaseAsync(entry, DateTimeOffset.UtcNow.AddMinutes(1), cancellationToken);
        ProgressSnapshot final = await pair.B.WaitForChangeAsync("upload-1", changed.Version, cancellationToken);
        Assert.That(final, Is.EqualTo(entry.Snapshot()));
        Assert.That(await pair.A.GetAsync("upload-1", cancellationToken), Is.EqualTo(final));
    }

    [Test]
    public async Task AnIdLiveOnOneInstanceIsRefusedOnTheOtherUntilItExpires(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisProgressStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisProgressStore.CreateAsync);
        var first = new ProgressEntry("shared");
        Assert.That(await pair.A.TryAddAsync(first, cancellationToken), Is.True);
        Assert.That(await pair.B.TryAddAsync(new ProgressEntry("shared"), cancellationToken), Is.False, "running elsewhere");

        first.Complete(200);
        await pair.A.ReleaseAsync(first, DateTimeOffset.UtcNow.AddMinutes(1), cancellationToken);
        ProgressSnapshot done = await pair.B.WaitForChangeAsync("shared", 1, cancellationToken);
        Assert.That(done.State, Is.EqualTo(ProgressState.Done));
        Assert.That(await pair.B.TryAddAsync(new ProgressEntry("shared"), cancellationToken), Is.False, "its outcome is still to be read");

        // An entry whose expiry time has passed by its release is gone at once (PEXPIREAT in the past), the id free.
        var expired = new ProgressEntry("expired");
        Assert.That(await pair.A.TryAddAsync(expired, cancellationToken), Is.True);
        ProgressSnapshot running = await pair.B.WaitForChangeAsync("expired", 0, cancellationToken);
        expired.Complete(200);
        await pair.A.ReleaseAsync(expired, DateTimeOffset.UtcNow.AddSeconds(-1), cancellationToken);
        ProgressSnapshot last = await pair.B.WaitForChangeAsync("expired", running.Version, cancellationToken);
        Assert.That(last.State, Is.AnyOf(ProgressState.Done, ProgressState.Unknown), "its end, or nothing if it was already gone");
        Assert.That((await pair.B.GetAsync("expired", cancellationToken)).State, Is.EqualTo(ProgressState.Unknown));
        Assert.That(await pair.B.TryAddAsync(new ProgressEntry("expired"), cancellationToken), Is.True, "free again once expired");
    }

    [Test]
    public async Task CountersAreWrittenAtMostOncePerPublishInterval(CancellationToken cancellationToken)
    {
        string prefix = Prefix();
        await using var pair = await TwoInstances<RedisProgressStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = prefix, PublishInterval = TimeSpan.FromMilliseconds(100) }, RedisProgressStore.CreateAsync);
        int published = 0;
        ISubscriber counter = pair.RedisB.GetSubscriber();
        await counter.SubscribeAsync(RedisChannel.Literal(prefix + "progress"), (_, _) => Interlocked.Increment(ref published));

        var entry = new ProgressEntry("busy");
        Assert.That(await pair.A.TryAddAsync(entry, cancellationToken), Is.True);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMilliseconds(500))
        {
            entry.AddReceived(1);
            await Task.Yield();
        }

        long changes = entry.Snapshot().Version;
        entry.Complete(200);
        await pair.A.ReleaseAsync(entry, DateTimeOffset.UtcNow.AddMinutes(1), cancellationToken);
        ProgressSnapshot final = await pair.B.WaitForChangeAsync("busy", changes, cancellationToken);
        Assert.That(final.State, Is.EqualTo(ProgressState.Done));
        double seconds = clock.Elapsed.TotalSeconds;
        Assert.That(changes, Is.GreaterThan(1000), "the entry changed often");
        Assert.That(Volatile.Read(ref published), Is.LessThanOrEqualTo((int)(seconds / 0.1) + 3), $"{changes} changes in {seconds:0.00} s");
    }

    [Test]
    public async Task TheEndOfARequestIsWrittenAtOnceNotAtTheNextInterval(CancellationToken cancellationToken)
    {
        // A clock that tells when the publishing loop starts waiting out its interval (7 s: no other timer has that due time).
        var time = new ObservedTimeProvider();
        time.SetUtcNow(DateTimeOffset.UtcNow);
        var interval = TimeSpan.FromSeconds(7);
        await using var pair = await TwoInstances<RedisProgressStore>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix(), PublishInterval = interval, TimeProvider = time }, RedisProgressStore.CreateAsync);
        var entry = new ProgressEntry("short");

        // The claim wakes the store's publishing loop, which then waits out its interval before writing changes.
        Task waiting = time.WhenArmedAsync(interval);
        Assert.That(await pair.A.TryAddAsync(entry, cancellationToken), Is.True);
        ProgressSnapshot seen = await pair.B.WaitForChangeAsync("short", 0, cancellationToken);
        await waiting.WaitAsync(TestTimeouts.Wait, cancellationToken);

        // A short request: it changes within the first interval, and while that change waits for the interval's end
        // (the fake clock never gets there by itself), the request ends; the end must not wait as well.
        entry.AddReceived(64 * 1024);
        var clock = Stopwatch.StartNew();
        entry.Complete(200);
        await pair.A.ReleaseAsync(entry, DateTimeOffset.UtcNow.AddMinutes(1), cancellationToken);
        ProgressSnapshot final = await pair.B.WaitForChangeAsync("short", seen.Version, cancellationToken);

        Assert.That(final.State, Is.EqualTo(ProgressState.Done));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2.5)), "the release cut the wait short (the fake clock stood still)");
    }

    [Test]
    public async Task TheEntryOfAnInstanceThatDiedExpiresWithItsLease(CancellationToken cancellationToken)
    {
        var options = new RedisStoreOptions { KeyPrefix = Prefix(), Lease = TimeSpan.FromMilliseconds(600) };
        await using var pair = await TwoInstances<RedisProgressStore>.StartAsync(Redis, options, RedisProgressStore.CreateAsync);
        var entry = new ProgressEntry("orphan");
        Assert.That(await pair.A.TryAddAsync(entry, cancellationToken), Is.True);
        Assert.That((await pair.B.GetAsync("orphan", cancellationToken)).State, Is.EqualTo(ProgressState.Running));

        // Instance A dies: its connection goes without a word, and nobody renews the lease.
        pair.KillA();
        ProgressSnapshot after = await pair.B.WaitForChangeAsync("orphan", entry.Snapshot().Version, cancellationToken);
        Assert.That(after.State, Is.EqualTo(ProgressState.Unknown));
    }

    [Test]
    public async Task WithRedisDownRequestsGoOnUntrackedAndTheOutageIsLoggedOnce(CancellationToken cancellationToken)
    {
        using var redis = await RedisServerProcess.StartAsync(cancellationToken);
        var log = new CapturingLoggerFactory();
        IConnectionMultiplexer connection = await RedisConnection.ConnectAsync(redis.Configuration);
        await using (connection.ConfigureAwait(false))
        {
            await using RedisProgressStore store = await RedisProgressStore.CreateAsync(connection, new RedisStoreOptions { Timeout = TimeSpan.FromMilliseconds(500), LoggerFactory = log });
            Assert.That(await store.TryAddAsync(new ProgressEntry("before"), cancellationToken), Is.True);

            redis.Stop();
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++)
            {
                Assert.That(await store.TryAddAsync(new ProgressEntry($"during-{i}"), cancellationToken), Is.False);
                Assert.That((await store.GetAsync($"elsewhere-{i}", cancellationToken)).State, Is.EqualTo(ProgressState.Unknown));
            }

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(12)), "each call gives up after the timeout");
            Assert.That(log.Warnings.Count(w => w.Contains("Redis is not answering", StringComparison.Ordinal)), Is.EqualTo(1), string.Join("\n", log.Warnings));

            Task reconnected = RedisServerProcess.WhenRestoredAsync(connection);
            await redis.RestartAsync(cancellationToken);
            await reconnected.WaitAsync(cancellationToken);
            Assert.That(await store.TryAddAsync(new ProgressEntry("after"), cancellationToken), Is.True, "tracking again once the connection is back");
            Assert.That(log.Warnings.Count(w => w.Contains("Redis is not answering", StringComparison.Ordinal)), Is.EqualTo(1));
        }
    }

    [Test]
    public void AnUnreachableRedisAtStartIsOneClearError()
    {
        var e = Assert.ThrowsAsync<RedisConnectionException>(async () => await RedisConnection.ConnectAsync("127.0.0.1:1", TimeSpan.FromSeconds(1)));
        Assert.That(e!.Message, Does.Contain("127.0.0.1:1"));
    }
}
