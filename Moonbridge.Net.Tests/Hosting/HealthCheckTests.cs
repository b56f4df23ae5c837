using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Moonbridge.Net.Hosting;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Hosting;

/// <summary>The host's health check of its pools through a stop: healthy while listening, unhealthy while draining and once stopped.</summary>
[TestFixture]
public sealed class HealthCheckTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    [Test]
    [CancelAfter(30_000)]
    public async Task ThePoolIsHealthyWhileListeningAndUnhealthyWhileDrainingAndOnceStopped(CancellationToken cancellationToken)
    {
        var entered = new Signal();
        var release = new Signal();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Moonbridge:Listeners:0:Protocol"] = "Tcp",
            ["Moonbridge:Listeners:0:Host"] = "127.0.0.1",
            ["Moonbridge:Listeners:0:Port"] = "0",
            ["Moonbridge:Pool:Name"] = "checked",
        });
        builder.Services.AddHealthChecks().AddMoonbridge(tags: ["ready"]);
        builder.Services.AddMoonbridge(moonbridge => moonbridge.UseHttp(async (request, _) =>
        {
            entered.Set();
            await release.WaitAsync(cancellationToken);
            request.SendStatus(200);
            return true;
        }));
        using IHost host = builder.Build();
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();

        HealthReport beforeStart = await health.CheckHealthAsync(cancellationToken);
        await host.StartAsync(cancellationToken);
        HealthReport listening = await health.CheckHealthAsync(cancellationToken);

        var service = host.Services.GetRequiredService<MoonbridgeHostedService>();
        using TestClient client = await TestClient.ConnectAsync(service.Server!.Listeners[0].Port!.Value, cancellationToken);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
        await entered.WaitAsync(cancellationToken);
        Task stopping = host.StopAsync(cancellationToken);
        await WhenDrainingAsync(service, cancellationToken);
        HealthReport draining = await health.CheckHealthAsync(cancellationToken);

        release.Set();
        await stopping.WaitAsync(s_wait, cancellationToken);
        HealthReport stopped = await health.CheckHealthAsync(cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(beforeStart.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(beforeStart.Entries["moonbridge"].Description, Does.Contain("has not started"));
            Assert.That(listening.Status, Is.EqualTo(HealthStatus.Healthy));
            Assert.That(listening.Entries["moonbridge"].Data["checked"], Does.StartWith("listening"));
            Assert.That(listening.Entries["moonbridge"].Tags, Does.Contain("ready"));
            Assert.That(draining.Status, Is.EqualTo(HealthStatus.Unhealthy), "a draining pool takes no new connections");
            Assert.That(draining.Entries["moonbridge"].Description, Is.EqualTo("pool 'checked' is draining"));
            Assert.That(draining.Entries["moonbridge"].Data["checked"], Does.StartWith("draining, 1 handlers running"));
            Assert.That(stopped.Status, Is.EqualTo(HealthStatus.Unhealthy));
            Assert.That(stopped.Entries["moonbridge"].Description, Is.EqualTo("pool 'checked' is stopped"));
        });
    }

    /// <summary>The stop runs on the thread pool; its first step cancels accepting, which the listener's close follows.</summary>
    private static async Task WhenDrainingAsync(MoonbridgeHostedService service, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(s_wait);
        while (service.Server!.State == Moonbridge.Net.Server.MoonbridgeServerState.Listening)
        {
            await Task.Yield();
            limit.Token.ThrowIfCancellationRequested();
        }
    }
}
