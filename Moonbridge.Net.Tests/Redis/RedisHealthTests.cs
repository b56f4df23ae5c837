using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Redis.Internal;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// An outage is logged once when it starts and once when it ends. A call begun during the outage that fails just after
/// Redis answered again (its timeout runs from its start) is the old outage's, not a new one.
/// </summary>
[TestFixture]
public sealed class RedisHealthTests
{
    [Test]
    public void ALateFailureOfACallBegunDuringTheOutageStartsNoNewOne()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        var health = new RedisHealth(logger, "test store", new RedisStoreOptions { Timeout = TimeSpan.FromSeconds(2), TimeProvider = time });

        health.Failed(new TimeoutException("first"));
        health.Failed(new TimeoutException("again"));
        Assert.That(Outages(logger), Is.EqualTo(1));
        health.Succeeded();
        Assert.That(health.IsFailing, Is.False);

        time.Advance(TimeSpan.FromSeconds(1.5));
        health.Failed(new TimeoutException("a call from before the recovery"));
        Assert.That(Outages(logger), Is.EqualTo(1));
        Assert.That(health.IsFailing, Is.False);

        time.Advance(TimeSpan.FromSeconds(1));
        health.Failed(new TimeoutException("a new outage"));
        Assert.That(Outages(logger), Is.EqualTo(2));
        Assert.That(health.IsFailing, Is.True);
    }

    private static int Outages(FakeLogger logger)
        => logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Warning && r.Id.Id == 801);
}
