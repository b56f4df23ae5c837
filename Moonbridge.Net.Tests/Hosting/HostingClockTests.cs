using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Hosting;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Hosting;

/// <summary>The hosted pool's clock: a <see cref="TimeProvider"/> registered with the host, unless the pool has its own.</summary>
[TestFixture]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class HostingClockTests
{
    [Test]
    public async Task ATimeProviderRegisteredWithTheHostBecomesThePoolClock(CancellationToken cancellationToken)
    {
        var registered = new FakeTimeProvider();
        using IHost host = Build(services => services.AddSingleton<TimeProvider>(registered), _ => { });

        TimeProvider used = await PoolClockAsync(host, cancellationToken);

        Assert.That(used, Is.SameAs(registered));
    }

    [Test]
    public async Task APoolGivenItsOwnClockKeepsIt(CancellationToken cancellationToken)
    {
        var own = new FakeTimeProvider();
        using IHost host = Build(services => services.AddSingleton<TimeProvider>(new FakeTimeProvider()), moonbridge => moonbridge.Pool.TimeProvider = own);

        TimeProvider used = await PoolClockAsync(host, cancellationToken);

        Assert.That(used, Is.SameAs(own));
    }

    [Test]
    public async Task WithoutOneThePoolRunsOnTheSystemClock(CancellationToken cancellationToken)
    {
        using IHost host = Build(_ => { }, _ => { });

        TimeProvider used = await PoolClockAsync(host, cancellationToken);

        Assert.That(used, Is.SameAs(TimeProvider.System));
    }

    private static async Task<TimeProvider> PoolClockAsync(IHost host, CancellationToken cancellationToken)
    {
        await host.StartAsync(cancellationToken);
        try
        {
            return host.Services.GetRequiredService<MoonbridgeHostedService>().Server!.Options.TimeProvider;
        }
        finally
        {
            await host.StopAsync(cancellationToken);
        }
    }

    private static IHost Build(Action<IServiceCollection> services, Action<MoonbridgeHostOptions> configure)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Moonbridge:Listeners:0:Protocol"] = "Tcp",
            ["Moonbridge:Listeners:0:Host"] = "127.0.0.1",
            ["Moonbridge:Listeners:0:Port"] = "0",
        });
        builder.Services.AddMoonbridge(moonbridge =>
        {
            moonbridge.UseHttp(Hello);
            configure(moonbridge);
        });
        services(builder.Services);
        return builder.Build();
    }

    private static async ValueTask<bool> Hello(HttpRequest request, CancellationToken cancellationToken)
    {
        request.SendStatus("200 OK");
        await request.SendDataAsync("hello\n");
        return true;
    }
}
