using Moonbridge.Net.Progress;
using Moonbridge.Net.Progress.Operations;
using Moonbridge.Net.Uploads;
using StackExchange.Redis;

namespace Moonbridge.Net.Redis;

/// <summary>
/// Everything one server process keeps in Redis, on one connection: the progress store, the operation store, the
/// upload claims and the upload records. <see cref="RedisServiceCollectionExtensions.UseRedis"/> makes one for a
/// host; plain programs may use <see cref="ConnectAsync"/>.
/// </summary>
public sealed class RedisStores : IAsyncDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private int _disposed;

    private RedisStores(IConnectionMultiplexer redis, RedisProgressStore progress, RedisOperationStore operations, RedisUploadClaims uploadClaims, RedisUploadRecords uploadRecords)
    {
        _redis = redis;
        Progress = progress;
        Operations = operations;
        UploadClaims = uploadClaims;
        UploadRecords = uploadRecords;
    }

    /// <summary>For <see cref="ProgressOptions.Store"/>.</summary>
    public IProgressStore Progress { get; }

    /// <summary>For <see cref="OperationOptions.Store"/>.</summary>
    public IOperationStore Operations { get; }

    /// <summary>For <see cref="ResumableUploadOptions.Claims"/> (with one upload directory shared by the instances).</summary>
    public IUploadClaims UploadClaims { get; }

    /// <summary>For <see cref="ResumableUploadOptions.Records"/>: the uploads' records in Redis rather than in files on the shared directory.</summary>
    public IUploadRecords UploadRecords { get; }

    /// <summary>Connects (a Redis that cannot be reached is one clear <see cref="RedisConnectionException"/>) and creates the four.</summary>
    /// <param name="configuration"><c>host:port</c> or a StackExchange.Redis configuration string.</param>
    /// <param name="options">Key prefix, intervals, clock and logging; defaults when null.</param>
    /// <returns>The stores; dispose them after the server.</returns>
    public static async Task<RedisStores> ConnectAsync(string configuration, RedisStoreOptions? options = null)
    {
        IConnectionMultiplexer redis = await RedisConnection.ConnectAsync(configuration).ConfigureAwait(false);
        try
        {
            return new RedisStores(
                redis,
                await RedisProgressStore.CreateAsync(redis, options).ConfigureAwait(false),
                await RedisOperationStore.CreateAsync(redis, options).ConfigureAwait(false),
                await RedisUploadClaims.CreateAsync(redis, options).ConfigureAwait(false),
                new RedisUploadRecords(redis, options));
        }
        catch
        {
            await redis.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Stops publishing and claiming, then closes the connection.</summary>
    /// <returns>A task that completes when done.</returns>
    public async ValueTask DisposeAsync()
    {
        // Once: a host disposes it as a singleton after its stop already did.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await ((RedisProgressStore)Progress).DisposeAsync().ConfigureAwait(false);
        await ((RedisOperationStore)Operations).DisposeAsync().ConfigureAwait(false);
        await ((RedisUploadClaims)UploadClaims).DisposeAsync().ConfigureAwait(false);
        await _redis.DisposeAsync().ConfigureAwait(false);
    }
}
