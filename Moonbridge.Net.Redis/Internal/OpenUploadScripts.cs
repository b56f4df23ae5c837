namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// The Lua scripts of the open-upload count (<see cref="RedisUploadClaims.CountOpenAsync"/>). Per client a sorted set of
/// its open uploads scored by their expiry (Unix milliseconds, <c>+inf</c> for none), so an upload that expired unswept
/// stops counting by itself; per upload a key naming its client, so that closing needs only the id. The set's key is
/// made inside the script from its prefix and the client: one Redis, not a cluster.
/// </summary>
internal static class OpenUploadScripts
{
    /// <summary>KEYS: the client's set, the upload's client key. ARGV: id, expiry score, client, the keys' time to live (ms).</summary>
    public const string Opened = """
        redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
        redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
        if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[1], ARGV[4]) end
        return 1
        """;

    /// <summary>KEYS: the upload's client key. ARGV: id, the sets' key prefix. 1 when the upload was counted.</summary>
    public const string Closed = """
        local client = redis.call('GET', KEYS[1])
        if not client then return 0 end
        redis.call('ZREM', ARGV[2] .. client, ARGV[1])
        redis.call('DEL', KEYS[1])
        return 1
        """;

    /// <summary>KEYS: the client's set. ARGV: now (Unix ms). Forgets the expired uploads and counts the rest.</summary>
    public const string Count = """
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
        return redis.call('ZCARD', KEYS[1])
        """;
}
