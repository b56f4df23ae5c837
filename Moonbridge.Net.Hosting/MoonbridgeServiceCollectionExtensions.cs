using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Moonbridge.Net.Hosting;

/// <summary>Registers Moonbridge pools with the generic host.</summary>
public static class MoonbridgeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the default Moonbridge pool as a hosted service. Its options are bound from the configuration
    /// section <c>Moonbridge</c>, then <paramref name="configure"/> runs; the pool starts and stops with the host.
    /// Resolve <see cref="MoonbridgeHostedService"/> to reach the running server.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configure">Sets the handler (e.g. <see cref="MoonbridgeHostOptions.UseHttp(Moonbridge.Net.Http.AsyncHttpRequestHandler)"/>) and anything configuration does not.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    public static IServiceCollection AddMoonbridge(this IServiceCollection services, Action<MoonbridgeHostOptions> configure)
        => services.AddMoonbridge(Microsoft.Extensions.Options.Options.DefaultName, configure);

    /// <summary>
    /// Adds a named Moonbridge pool as a hosted service; several may run in one host. Its options are bound
    /// from the configuration section <c>Moonbridge:{name}</c> (<c>Moonbridge</c> for the empty name), then
    /// <paramref name="configure"/> runs. Resolve <see cref="MoonbridgeHostedService"/> keyed by
    /// <paramref name="name"/> to reach the running server.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="name">The registration name, unique per host.</param>
    /// <param name="configure">Sets the handler and anything configuration does not.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException">A pool of this name is already registered.</exception>
    public static IServiceCollection AddMoonbridge(this IServiceCollection services, string name, Action<MoonbridgeHostOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(MoonbridgeHostedService) && Equals(d.ServiceKey, name)))
        {
            throw new InvalidOperationException($"A Moonbridge pool named '{name}' is already registered.");
        }

        string section = name.Length == 0 ? MoonbridgeHostOptions.SectionName : $"{MoonbridgeHostOptions.SectionName}:{name}";
        services.AddOptions<MoonbridgeHostOptions>(name).BindConfiguration(section).Configure(configure);
        services.AddKeyedSingleton(name, static (provider, key) =>
        {
            string poolName = (string)key!;
            return new MoonbridgeHostedService(
                poolName,
                provider.GetRequiredService<IOptionsMonitor<MoonbridgeHostOptions>>().Get(poolName),
                provider,
                provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                provider.GetService<IHostApplicationLifetime>());
        });
        if (name.Length == 0)
        {
            services.TryAddSingleton(static provider => provider.GetRequiredKeyedService<MoonbridgeHostedService>(Microsoft.Extensions.Options.Options.DefaultName));
        }

        services.AddSingleton<IHostedService>(provider => provider.GetRequiredKeyedService<MoonbridgeHostedService>(name));
        return services;
    }
}
