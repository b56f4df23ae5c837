using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Moonbridge.Net.Redis;

/// <summary>Settings shared by <see cref="RedisProgressStore"/> and <see cref="RedisOperationStore"/>.</summary>
public sealed class RedisStoreOptions
{
    private string _keyPrefix = "moonbridge:";
    private TimeSpan _publishInterval = TimeSpan.FromMilliseconds(100);
    private TimeSpan _lease = TimeSpan.FromSeconds(15);
    private TimeSpan _timeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Put in front of every key and channel name, so that several applications (or test runs) can share one
    /// Redis; instances that should see each other's state use the same prefix. Default <c>moonbridge:</c>.
    /// </summary>
    public string KeyPrefix
    {
        get => _keyPrefix;
        set => _keyPrefix = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>
    /// The shortest time between two writes of one running record to Redis (a change waits at most this long
    /// before other instances see it). Default 100 ms; a record's end is always written at once.
    /// </summary>
    public TimeSpan PublishInterval
    {
        get => _publishInterval;
        set => _publishInterval = value >= TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The interval cannot be negative.");
    }

    /// <summary>
    /// How long a running record outlives the instance that holds it: the instance renews it every third of this
    /// time, so a record whose instance died (or lost Redis) expires, and a running operation then reads as failed.
    /// Default 15 s.
    /// </summary>
    public TimeSpan Lease
    {
        get => _lease;
        set => _lease = value >= TimeSpan.FromMilliseconds(300) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The lease must be at least 300 ms.");
    }

    /// <summary>
    /// The longest a request waits for one Redis call before it goes on without it (an untracked upload, an unknown
    /// record): a slow Redis never holds up a request for longer. Default 2 s.
    /// </summary>
    public TimeSpan Timeout
    {
        get => _timeout;
        set => _timeout = value > TimeSpan.Zero ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The timeout must be positive.");
    }

    /// <summary>The clock of expiry times; <see cref="TimeProvider.System"/> by default.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Where Redis outages and recoveries are logged (once each, never per request); none by default.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;
}
