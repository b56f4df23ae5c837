using Microsoft.Extensions.Hosting;

namespace Moonbridge.Net.Redis.Internal;

/// <summary>Connects <see cref="RedisStores"/> when the host starts and disposes them when it stops.</summary>
internal sealed class RedisStoresService(string configuration, RedisStoreOptions options) : IHostedService
{
    private RedisStores? _stores;

    public RedisStores Stores => _stores
        ?? throw new InvalidOperationException("The Redis stores exist once the host has started: resolve them in a handler factory (UseHttp(services => ...)), not while configuring.");

    public async Task StartAsync(CancellationToken cancellationToken)
        => _stores = await RedisStores.ConnectAsync(configuration, options).WaitAsync(cancellationToken).ConfigureAwait(false);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stores, null) is { } stores)
        {
            await stores.DisposeAsync().ConfigureAwait(false);
        }
    }
}
