using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Redis.Internal;

namespace Moonbridge.Net.Redis;

/// <summary>Puts a host's Moonbridge state in Redis.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>
    /// Connects to Redis when the host starts, before any Moonbridge pool (a Redis that cannot be reached stops the
    /// start with one clear error), and registers <see cref="RedisStores"/> for handler factories to use:
    /// <c>moonbridge.UseHttp(services => ... services.GetRequiredService&lt;RedisStores&gt;().Progress ...)</c>.
    /// Disconnects when the host stops.
    /// </summary>
    /// <param name="services">The host's services (e.g. the result of <c>AddMoonbridge</c>).</param>
    /// <param name="configuration"><c>host:port</c> or a StackExchange.Redis configuration string.</param>
    /// <param name="configure">Changes the <see cref="RedisStoreOptions"/>; the host's logger factory is set before it runs.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection UseRedis(this IServiceCollection services, string configuration, Action<RedisStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(configuration);
        services.AddSingleton(provider =>
        {
            var options = new RedisStoreOptions();
            if (provider.GetService<ILoggerFactory>() is { } logging)
            {
                options.LoggerFactory = logging;
            }

            configure?.Invoke(options);
            return new RedisStoresService(configuration, options);
        });

        // First of the hosted services, so the stores exist when the pools resolve their handlers.
        services.Insert(0, ServiceDescriptor.Singleton<IHostedService>(provider => provider.GetRequiredService<RedisStoresService>()));
        services.AddSingleton(provider => provider.GetRequiredService<RedisStoresService>().Stores);
        return services;
    }
}
