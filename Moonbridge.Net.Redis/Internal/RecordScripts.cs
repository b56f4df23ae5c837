namespace Moonbridge.Net.Redis.Internal;

/// <summary>
/// The Lua scripts of <see cref="RecordTable{TEntry, TSnapshot}"/>, so that each change of a record and its
/// announcement happen in one step. A record is a hash (<c>o</c> the token of the instance holding it, <c>v</c> its
/// version, <c>d</c> its state, <c>f</c> 1 once its final state is written) with a lease key beside it that lives
/// while the holder renews it. Only the holder writes, versions only grow, and a final state is never overwritten.
/// </summary>
internal static class RecordScripts
{
    /// <summary>
    /// KEYS: record, lease. ARGV: token, version, state, record time to live (ms), lease (ms), channel, id.
    /// 1 when claimed, 0 when the id is taken.
    /// </summary>
    public const string Claim = """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
        redis.call('HSET', KEYS[1], 'o', ARGV[1], 'v', ARGV[2], 'd', ARGV[3], 'f', '0')
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        redis.call('SET', KEYS[2], '1', 'PX', ARGV[5])
        redis.call('PUBLISH', ARGV[6], ARGV[7] .. '\n' .. ARGV[3])
        return 1
        """;

    /// <summary>
    /// KEYS: record, lease. ARGV: token, version, state, mode, time, lease (ms), channel, id. Mode <c>renew</c>: the
    /// record lives <c>time</c> ms more and the lease is renewed; <c>final</c>: the record expires at the Unix time
    /// <c>time</c> (ms) and the lease ends. 1 when written, 0 when the record is gone, held by another instance, newer
    /// or final.
    /// </summary>
    public const string Update = """
        local holder = redis.call('HMGET', KEYS[1], 'o', 'v', 'f')
        if holder[1] ~= ARGV[1] or holder[3] == '1' then return 0 end
        local version = tonumber(ARGV[2])
        if version < tonumber(holder[2]) then return 0 end
        if version > tonumber(holder[2]) then
          redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
          redis.call('PUBLISH', ARGV[7], ARGV[8] .. '\n' .. ARGV[3])
        end
        if ARGV[4] == 'final' then
          redis.call('HSET', KEYS[1], 'f', '1')
          redis.call('DEL', KEYS[2])
          redis.call('PEXPIREAT', KEYS[1], ARGV[5])
        else
          redis.call('PEXPIRE', KEYS[1], ARGV[5])
          redis.call('SET', KEYS[2], '1', 'PX', ARGV[6])
        end
        return 1
        """;

    /// <summary>KEYS: record, lease. The state (nil when there is none), 1 when it is final, 1 when its lease lives.</summary>
    public const string Read = """
        local record = redis.call('HMGET', KEYS[1], 'd', 'f')
        return { record[1], record[2], redis.call('EXISTS', KEYS[2]) }
        """;

    /// <summary>KEYS: record, lease. ARGV: channel, id. 1 when the record existed; readers waiting on it learn it is gone.</summary>
    public const string Remove = """
        local existed = redis.call('DEL', KEYS[1])
        redis.call('DEL', KEYS[2])
        if existed == 1 then redis.call('PUBLISH', ARGV[1], ARGV[2] .. '\n') end
        return existed
        """;
}
