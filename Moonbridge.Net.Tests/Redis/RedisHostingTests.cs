using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Moonbridge.Net.Hosting;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Tests.Infrastructure;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary><c>AddMoonbridge(...).UseRedis(...)</c>: two hosts on one Redis share their progress; a Redis that cannot be reached stops the start.</summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class RedisHostingTests : RedisTestFixture
{
    [Test]
    public async Task TwoHostsUsingRedisSeeEachOthersUploads(CancellationToken cancellationToken)
    {
        string prefix = Prefix();
        using IHost first = BuildHost(Redis.Configuration, prefix);
        using IHost second = BuildHost(Redis.Configuration, prefix);
        await first.StartAsync(cancellationToken);
        await second.StartAsync(cancellationToken);
        try
        {
            string id = $"hosted-{Guid.NewGuid():N}";
            using TestClient upload = await TestClient.ConnectAsync(PortOf(first), cancellationToken);
            await upload.SendAsync($"POST /upload?X-Progress-Id={id} HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n" + new string('x', 5000), cancellationToken);
            RawHttpResponse uploaded = await upload.ReadResponseAsync(cancellationToken);
            Assert.That(uploaded.StatusCode, Is.EqualTo(200));

            // The other host hears the end by pub/sub; then its progress view shows it.
            IProgressStore seenBySecond = second.Services.GetRequiredService<RedisStores>().Progress;
            ProgressSnapshot snapshot = await seenBySecond.WaitForChangeAsync(id, 0, cancellationToken);
            while (!snapshot.IsFinished)
            {
                Assert.That(snapshot.State, Is.Not.EqualTo(ProgressState.Unknown), "registered before the upload was answered");
                snapshot = await seenBySecond.WaitForChangeAsync(id, snapshot.Version, cancellationToken);
            }

            using TestClient poll = await TestClient.ConnectAsync(PortOf(second), cancellationToken);
            await poll.SendAsync($"GET /progress?X-Progress-Id={id} HTTP/1.1\r\nHost: b\r\nAccept: application/json\r\n\r\n", cancellationToken);
            string progress = (await poll.ReadResponseAsync(cancellationToken)).BodyText;
            Assert.That(progress, Does.Contain("\"done\""));
            Assert.That(progress, Does.Contain("\"received\": 5000"));
        }
        finally
        {
            await first.StopAsync(CancellationToken.None);
            await second.StopAsync(CancellationToken.None);
        }
    }

    [Test]
    public void AHostWhoseRedisCannotBeReachedDoesNotStart(CancellationToken cancellationToken)
    {
        using IHost host = BuildHost("127.0.0.1:1", Prefix());
        var e = Assert.ThrowsAsync<RedisConnectionException>(async () => await host.StartAsync(cancellationToken));
        Assert.That(e!.Message, Does.Contain("127.0.0.1:1"));
        Assert.That(host.Services.GetRequiredService<MoonbridgeHostedService>().Server, Is.Null, "no pool started without its shared state");
    }

    private static IHost BuildHost(string redis, string prefix)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Moonbridge:Listeners:0:Protocol"] = "Tcp",
            ["Moonbridge:Listeners:0:Host"] = "127.0.0.1",
            ["Moonbridge:Listeners:0:Port"] = "0",
        });
        builder.Services.AddMoonbridge(moonbridge => moonbridge.UseHttp(services =>
        {
            var progress = new ProgressTracker(new ProgressOptions { Store = services.GetRequiredService<RedisStores>().Progress });
            return async (request, cancellationToken) =>
            {
                if (request.Path == "upload")
                {
                    await progress.TrackAsync(request, cancellationToken);
                    byte[] body = await request.ReadBodyAsync(cancellationToken);
                    request.SendStatus("200 OK");
                    await request.SendDataAsync($"{body.Length}\n");
                }
                else
                {
                    await progress.ShowAsync(request, cancellationToken: cancellationToken);
                }

                return true;
            };
        })).UseRedis(redis, options => options.KeyPrefix = prefix);
        return builder.Build();
    }

    private static int PortOf(IHost host) => host.Services.GetRequiredService<MoonbridgeHostedService>().Server!.Listeners[0].Port!.Value;
}
