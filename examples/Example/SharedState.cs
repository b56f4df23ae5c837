using Microsoft.Extensions.Logging;
using Moonbridge.Net.Redis;
using StackExchange.Redis;

/// <summary>
/// The example's state shared through Redis (<c>--redis</c>): the progress store, the operation store and the
/// coordination of resumable uploads on a shared <c>--upload-dir</c>.
/// </summary>
internal sealed class SharedState : IAsyncDisposable
{
    private readonly IConnectionMultiplexer _redis;

    private SharedState(IConnectionMultiplexer redis, RedisProgressStore progress, RedisOperationStore operations, RedisUploadClaims uploads)
    {
        _redis = redis;
        Progress = progress;
        Operations = operations;
        Uploads = uploads;
    }

    public RedisProgressStore Progress { get; }

    public RedisOperationStore Operations { get; }

    public RedisUploadClaims Uploads { get; }

    public static async Task<SharedState> ConnectAsync(string address, ILoggerFactory logging)
    {
        IConnectionMultiplexer redis = await RedisConnection.ConnectAsync(address);
        var options = new RedisStoreOptions { LoggerFactory = logging };
        return new SharedState(redis, await RedisProgressStore.CreateAsync(redis, options), await RedisOperationStore.CreateAsync(redis, options), await RedisUploadClaims.CreateAsync(redis, options));
    }

    public async ValueTask DisposeAsync()
    {
        await Progress.DisposeAsync();
        await Operations.DisposeAsync();
        await Uploads.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
