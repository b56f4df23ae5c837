using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Moonbridge.Net.Hosting;

/// <summary>Registers <see cref="MoonbridgeHealthCheck"/> with the host's health checks.</summary>
public static class MoonbridgeHealthChecksBuilderExtensions
{
    /// <summary>Adds a check of the host's Moonbridge pools: listening, draining or stopped.</summary>
    /// <param name="builder">The health checks being configured (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="name">The check's name in reports.</param>
    /// <param name="failureStatus">Reported while a pool drains or has stopped; <see cref="HealthStatus.Unhealthy"/> by default.</param>
    /// <param name="tags">Tags for filtering checks, e.g. <c>ready</c>.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHealthChecksBuilder AddMoonbridge(this IHealthChecksBuilder builder, string name = "moonbridge", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        return builder.Add(new HealthCheckRegistration(
            name,
            static services => ActivatorUtilities.CreateInstance<MoonbridgeHealthCheck>(services),
            failureStatus,
            tags));
    }
}
