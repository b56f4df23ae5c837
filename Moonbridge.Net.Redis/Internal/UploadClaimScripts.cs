namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// The Lua scripts of <see cref="RedisUploadClaims"/>. Per upload three keys: the holder (the claiming request's
/// ticket, living one lease past its last renewal), the newest request's ticket, and the last commit (a hash of the
/// upload's epoch <c>e</c> and durable offset <c>o</c>). Claims and releases are announced on the store's channel as
/// <c>{id}\ns</c> (a newer request wants it: stop) and <c>{id}\nr</c> (released: try again).
/// </summary>
internal static class UploadClaimScripts
{
    /// <summary>
    /// KEYS: holder, newest. ARGV: ticket, lease (ms), channel, id, newest's time to live (ms). Marks the request as
    /// the newest; 1 when it holds the upload at once, 0 when the holder was told to stop and the request must wait.
    /// </summary>
    public const string Claim = """
        redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[5])
        if redis.call('EXISTS', KEYS[1]) == 1 then
          redis.call('PUBLISH', ARGV[3], ARGV[4] .. '\ns')
          return 0
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    /// <summary>KEYS: holder, newest. ARGV: ticket, lease (ms). 1 when now held, 0 when still held by another, -1 when a newer request came.</summary>
    public const string Retry = """
        if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    /// <summary>
    /// KEYS: holder, newest. ARGV: ticket, lease (ms), newest's time to live (ms). Renews the holder's lease; after a
    /// Redis restart that lost the keys, claims them back unless a newer request came. 1 when held, 0 when lost.
    /// </summary>
    public const string Renew = """
        local holder = redis.call('GET', KEYS[1])
        if holder == ARGV[1] then
          redis.call('PEXPIRE', KEYS[1], ARGV[2])
          return 1
        end
        if not holder then
          local newest = redis.call('GET', KEYS[2])
          if (not newest) or newest == ARGV[1] then
            redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
            redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[3])
            return 1
          end
        end
        return 0
        """;

    /// <summary>
    /// KEYS: holder, newest, commit. ARGV: ticket, epoch, offset, commit's time to live (ms), lease (ms), newest's time
    /// to live (ms). The compare-and-set of a durable offset: only the holder commits (after a Redis restart that lost
    /// the keys it claims them back first, as <see cref="Renew"/> does), and never behind the last commit. Renews the
    /// lease. 1 when committed, 0 when another request holds the upload, -1 when the commit is behind the last one.
    /// </summary>
    public const string Commit = """
        local holder = redis.call('GET', KEYS[1])
        if holder ~= ARGV[1] then
          if holder then return 0 end
          local newest = redis.call('GET', KEYS[2])
          if newest and newest ~= ARGV[1] then return 0 end
          redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[6])
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[5])
        local last = redis.call('HMGET', KEYS[3], 'e', 'o')
        local epoch, offset = tonumber(ARGV[2]), tonumber(ARGV[3])
        if last[1] then
          local lastEpoch, lastOffset = tonumber(last[1]), tonumber(last[2])
          if epoch < lastEpoch or (epoch == lastEpoch and offset < lastOffset) then return -1 end
        end
        redis.call('HSET', KEYS[3], 'e', ARGV[2], 'o', ARGV[3])
        redis.call('PEXPIRE', KEYS[3], ARGV[4])
        return 1
        """;

    /// <summary>KEYS: holder. ARGV: ticket, channel, id. Lets go of the upload and tells the requests waiting for it.</summary>
    public const string Release = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1])
          redis.call('PUBLISH', ARGV[2], ARGV[3] .. '\nr')
          return 1
        end
        return 0
        """;
}
