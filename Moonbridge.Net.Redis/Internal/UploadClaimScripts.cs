namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// The Lua scripts of <see cref="RedisUploadClaims"/>. Per upload two keys: the holder (the claiming request's ticket,
/// living one lease past its last renewal) and the newest request's ticket. Claims and releases are announced on the
/// store's channel as <c>{id}\ns</c> (a newer request wants it: stop) and <c>{id}\nr</c> (released: try again).
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
