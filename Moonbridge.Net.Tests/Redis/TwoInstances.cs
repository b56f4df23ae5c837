using Moonbridge.Net.Redis;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>Two server instances as the stores see them: each with its own Redis connection and store, on one Redis and one prefix.</summary>
internal sealed class TwoInstances<TStore> : IAsyncDisposable
    where TStore : IAsyncDisposable
{
    private TwoInstances(IConnectionMultiplexer redisA, IConnectionMultiplexer redisB, TStore a, TStore b)
    {
        RedisA = redisA;
        RedisB = redisB;
        A = a;
        B = b;
    }

    public IConnectionMultiplexer RedisA { get; }

    public IConnectionMultiplexer RedisB { get; }

    public TStore A { get; }

    public TStore B { get; }

    /// <summary>Connects twice and creates a store on each connection with the same options (so the same prefix).</summary>
    public static async Task<TwoInstances<TStore>> StartAsync(RedisServerProcess redis, RedisStoreOptions options, Func<IConnectionMultiplexer, RedisStoreOptions, Task<TStore>> create)
    {
        IConnectionMultiplexer redisA = await RedisConnection.ConnectAsync(redis.Configuration);
        IConnectionMultiplexer redisB = await RedisConnection.ConnectAsync(redis.Configuration);
        return new TwoInstances<TStore>(redisA, redisB, await create(redisA, options), await create(redisB, options));
    }

    /// <summary>Instance A stops talking to Redis at once, as if its process were killed.</summary>
    public void KillA() => RedisA.Dispose();

    public async ValueTask DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
        RedisA.Dispose();
        RedisB.Dispose();
    }
}
