using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Hosting;

/// <summary>
/// Reports the host's Moonbridge pools: healthy while every pool listens; unhealthy while one drains (it accepts no
/// more connections, so a load balancer should stop sending it any), when one has stopped, and before the host has
/// started them. The data names each pool with its state, running handlers and workers. Registered by
/// <see cref="MoonbridgeHealthChecksBuilderExtensions.AddMoonbridge"/>.
/// </summary>
/// <param name="hostedServices">The host's hosted services; the Moonbridge pools among them are reported.</param>
public sealed class MoonbridgeHealthCheck(IEnumerable<IHostedService> hostedServices) : IHealthCheck
{
    /// <summary>Reports the pools' states.</summary>
    /// <param name="context">The registration being checked.</param>
    /// <param name="cancellationToken">Unused: the check reads state and never waits.</param>
    /// <returns>The worst state among the pools.</returns>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        string? notListening = null;
        int pools = 0;
        foreach (MoonbridgeHostedService pool in hostedServices.OfType<MoonbridgeHostedService>())
        {
            pools++;
            string name = pool.Options.Pool.Name;
            if (pool.Server is not { } server)
            {
                data[name] = "not started";
                notListening ??= $"pool '{name}' has not started";
                continue;
            }

            MoonbridgeServerState state = server.State;
            data[name] = $"{state.ToString().ToLowerInvariant()}, {server.ActiveHandlerCount} handlers running, {server.WorkerCount} workers";
            if (state != MoonbridgeServerState.Listening)
            {
                notListening ??= $"pool '{name}' is {state.ToString().ToLowerInvariant()}";
            }
        }

        HealthCheckResult result = pools == 0 ? HealthCheckResult.Unhealthy("no Moonbridge pool is registered", data: data)
            : notListening is not null ? new HealthCheckResult(context.Registration.FailureStatus, notListening, data: data)
            : HealthCheckResult.Healthy(pools == 1 ? "listening" : $"all {pools} pools listening", data);
        return Task.FromResult(result);
    }
}
