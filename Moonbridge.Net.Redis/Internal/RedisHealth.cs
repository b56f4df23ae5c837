using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// Whether the last Redis call of a store worked, so that an outage is logged once when it starts and once when it
/// ends, never per request.
/// </summary>
/// <remarks>
/// A call begun during an outage may fail only after Redis answers again (its timeout runs from its start, and the
/// connection's queue keeps it meanwhile): a failure within one call timeout of a recovery is not taken for a new
/// outage. One after that is.
/// </remarks>
internal sealed partial class RedisHealth(ILogger logger, string store, RedisStoreOptions options, string meanwhile = RedisHealth.Untracked)
{
    /// <summary>What an outage means for the progress and operation stores.</summary>
    public const string Untracked = "Requests go on without it (untracked, unknown to other instances) until it answers again.";

    /// <summary>What an outage means for the upload stores.</summary>
    public const string UploadsRefused = "Requests that read or change an upload are refused with 503 until it answers again; appends in progress keep their bytes.";

    private int _failing;
    private long _recoveredAt;

    public bool IsFailing => Volatile.Read(ref _failing) != 0;

    public void Failed(Exception exception)
    {
        long recoveredAt = Volatile.Read(ref _recoveredAt);
        if (recoveredAt != 0 && options.TimeProvider.GetElapsedTime(recoveredAt) < options.Timeout)
        {
            return;
        }

        if (Interlocked.Exchange(ref _failing, 1) == 0)
        {
            Unavailable(logger, store, exception.Message.TrimEnd('.'), meanwhile, exception);
        }
    }

    public void Succeeded()
    {
        if (Volatile.Read(ref _failing) != 0 && Interlocked.Exchange(ref _failing, 0) != 0)
        {
            Volatile.Write(ref _recoveredAt, options.TimeProvider.GetTimestamp());
            Recovered(logger, store);
        }
    }

    /// <summary>A record could not be described for Redis (its snapshot or encoding failed): it is no longer published.</summary>
    public void RecordDropped(string id, Exception exception) => Dropped(logger, store, id, exception);

    [LoggerMessage(EventId = 803, Level = LogLevel.Error,
        Message = "The {Store} stopped publishing record '{Id}' to Redis: describing it failed. The other records go on.")]
    private static partial void Dropped(ILogger logger, string store, string id, Exception exception);

    [LoggerMessage(EventId = 801, Level = LogLevel.Warning,
        Message = "Redis is not answering the {Store}: {Reason}. {Meanwhile}")]
    private static partial void Unavailable(ILogger logger, string store, string reason, string meanwhile, Exception exception);

    [LoggerMessage(EventId = 802, Level = LogLevel.Information, Message = "Redis answers the {Store} again.")]
    private static partial void Recovered(ILogger logger, string store);
}
