namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// The Lua scripts of <see cref="RedisUploadRecords"/>. Per upload a hash of its epoch <c>e</c>, the offset <c>o</c>
/// its record states and the record <c>d</c>, expiring with the upload; beside them one sorted set of every upload id
/// by expiry (milliseconds since 1970), which outlives the hashes so that the data files of expired uploads are swept.
/// </summary>
internal static class UploadRecordScripts
{
    /// <summary>
    /// KEYS: record, expiry index. ARGV: id, epoch, offset, expiry (ms since 1970), record. The compare-and-set of a
    /// record: never over one ahead of it (a higher epoch, or the same epoch and a higher offset). 1 when written, 0
    /// when the stored one is ahead.
    /// </summary>
    public const string Write = """
        local last = redis.call('HMGET', KEYS[1], 'e', 'o')
        if last[1] then
          local epoch, offset = tonumber(ARGV[2]), tonumber(ARGV[3])
          local lastEpoch, lastOffset = tonumber(last[1]), tonumber(last[2])
          if epoch < lastEpoch or (epoch == lastEpoch and offset < lastOffset) then return 0 end
        end
        redis.call('HSET', KEYS[1], 'e', ARGV[2], 'o', ARGV[3], 'd', ARGV[5])
        redis.call('PEXPIREAT', KEYS[1], ARGV[4])
        redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
        return 1
        """;

    /// <summary>KEYS: record, expiry index. ARGV: id. Removes the record and its id; 1 when there was a record.</summary>
    public const string Delete = """
        redis.call('ZREM', KEYS[2], ARGV[1])
        return redis.call('DEL', KEYS[1])
        """;
}
