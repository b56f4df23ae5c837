using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Hosting;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Hosting;

[TestFixture]
public sealed class HostingTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(5);

    private static readonly Dictionary<string, string?> s_loopback = new()
    {
        ["Moonbridge:Listeners:0:Protocol"] = "Tcp",
        ["Moonbridge:Listeners:0:Host"] = "127.0.0.1",
        ["Moonbridge:Listeners:0:Port"] = "0",
    };

    [Test]
    [CancelAfter(20_000)]
    public async Task AHostedPoolServesOverLoopbackAndAHostStopLetsARunningRequestFinish(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IHost host = BuildHost(logs, s_loopback, moonbridge => moonbridge.UseHttp(services =>
        {
            // The handler comes from the container: it waits for the host's stop signal.
            CancellationToken stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            return async (request, _) =>
            {
                request.SendStatus("200 OK");
                if (request.Path == "slow")
                {
                    entered.TrySetResult();
                    await WhenCancelledAsync(stopping);
                    await request.SendDataAsync("finished after the stop began\n");
                    return true;
                }

                await request.SendDataAsync("hello\n");
                return true;
            };
        }));
        await host.StartAsync(cancellationToken);
        int port = PortOf(host);

        string hello = await GetAsync(port, "/", cancellationToken);
        Assert.That(hello, Does.StartWith("HTTP/1.1 200 OK\r\n").And.EndWith("\r\n\r\nhello\n"));

        using TestClient slow = await TestClient.ConnectAsync(port, cancellationToken);
        await slow.SendAsync("GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", cancellationToken);
        await entered.Task.WaitAsync(s_wait, cancellationToken);

        Task stopped = host.StopAsync(cancellationToken);
        ConnectionEnd end = await slow.ReadToEndAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);
        await stopped.WaitAsync(s_wait, cancellationToken);

        Assert.That(end.Reset, Is.False);
        Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 OK\r\n").And.EndWith("finished after the stop began\n"));
        MoonbridgeServer server = host.Services.GetRequiredService<MoonbridgeHostedService>().Server!;
        Assert.That(server.Completion.IsCompletedSuccessfully, Is.True);
        Assert.That(server.WorkerCount, Is.Zero);

        IReadOnlyList<LogEntry> serverLogs = logs.Of("Moonbridge.Net.Server");
        Assert.That(serverLogs.Any(e => e.EventId.Id == 8 && e.Level == LogLevel.Information && e.Message.Contains("listening on 127.0.0.1:", StringComparison.Ordinal)), Is.True, "listening is logged through the host's logger");
        Assert.That(serverLogs.Any(e => e.EventId.Id == 9 && e.Message.Contains("graceful", StringComparison.Ordinal)), Is.True, "a graceful stop");
        Assert.That(serverLogs.Any(e => e.EventId.Id == 10), Is.False, "no handler was aborted");
        Assert.That(logs.Of("Moonbridge.Net.Hosting").Any(e => e.EventId.Id == 702), Is.True, "the hosted service saw the pool stop");
        Assert.That(
            logs.Entries.Where(e => e.Category.StartsWith("Moonbridge.Net", StringComparison.Ordinal) && e.Level >= LogLevel.Information).Select(e => (e.Category, e.EventId.Id)),
            Is.EquivalentTo(new[] { ("Moonbridge.Net.Server", 8), ("Moonbridge.Net.Server", 9) }),
            "nothing is logged per request at Information level");
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task ConfigurationSetsListenersPoolAndHttpOptionsAndARejectedRequestIsLoggedAtDebug(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        var config = new Dictionary<string, string?>(s_loopback)
        {
            ["Moonbridge:Pool:Name"] = "configured",
            ["Moonbridge:Pool:MaxFork"] = "5",
            ["Moonbridge:Pool:ShutdownTimeout"] = "00:00:07",
            ["Moonbridge:Pool:Transport"] = "SocketEngine",
            ["Moonbridge:Http:RequestHeaderCountLimit"] = "3",
            ["Moonbridge:Http:IdleTimeout"] = "00:00:09",
        };
        using IHost host = BuildHost(logs, config, moonbridge => moonbridge.UseHttp(Hello));
        await host.StartAsync(cancellationToken);
        try
        {
            var service = host.Services.GetRequiredService<MoonbridgeHostedService>();
            ListenOptions pool = service.Server!.Options;
            Assert.That(pool.Name, Is.EqualTo("configured"));
            Assert.That(pool.MaxFork, Is.EqualTo(5));
            Assert.That(pool.ShutdownTimeout, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(pool.Transport, Is.EqualTo(Moonbridge.Net.IO.TransportKind.SocketEngine));
            Assert.That(pool.Listeners, Is.EqualTo(new[] { ListenerSpec.Tcp("127.0.0.1", 0) }));
            Assert.That(service.Options.Http.IdleTimeout, Is.EqualTo(TimeSpan.FromSeconds(9)));

            string response = await GetAsync(PortOf(host), "/", cancellationToken, "A: 1", "B: 2", "C: 3");
            Assert.That(response, Does.StartWith("HTTP/1.1 431 "), "four header lines exceed the configured limit of three");

            LogEntry rejected = await logs.WaitForAsync(e => e.Category == "Moonbridge.Net.Http" && e.EventId.Id == 101).WaitAsync(s_wait, cancellationToken);
            Assert.That(rejected.Level, Is.EqualTo(LogLevel.Debug));
            Assert.That(rejected.Message, Does.Contain("431"));
        }
        finally
        {
            await host.StopAsync(cancellationToken);
        }
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AHandlerExceptionIsA500LoggedAtErrorAndConnectionsAreLoggedInTheIoCategory(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        using IHost host = BuildHost(logs, s_loopback, moonbridge => moonbridge.UseHttp((request, _) => throw new InvalidOperationException("handler broke")));
        await host.StartAsync(cancellationToken);
        try
        {
            string response = await GetAsync(PortOf(host), "/broken?x=1", cancellationToken);
            Assert.That(response, Does.StartWith("HTTP/1.1 500 "));

            LogEntry failed = await logs.WaitForAsync(e => e.Category == "Moonbridge.Net.Http" && e.EventId.Id == 102).WaitAsync(s_wait, cancellationToken);
            Assert.That(failed.Level, Is.EqualTo(LogLevel.Error));
            Assert.That(failed.Exception, Is.TypeOf<InvalidOperationException>().With.Message.EqualTo("handler broke"));
            Assert.That(failed.Message, Does.Contain("GET /broken?x=1"));

            LogEntry accepted = await logs.WaitForAsync(e => e.Category == "Moonbridge.Net.IO" && e.EventId.Id == 401).WaitAsync(s_wait, cancellationToken);
            Assert.That(accepted.Level, Is.EqualTo(LogLevel.Trace));
            Assert.That(accepted.Message, Does.StartWith("Connection from 127.0.0.1:"));
        }
        finally
        {
            await host.StopAsync(cancellationToken);
        }
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task TheHostsShutdownTimeoutAbortsAHandlerThatOutlivesIt(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using IHost host = BuildHost(
            logs,
            s_loopback,
            moonbridge =>
            {
                moonbridge.Pool.ShutdownTimeout = TimeSpan.FromMinutes(1);
                moonbridge.UseHttp(async (request, ct) =>
                {
                    entered.TrySetResult();
                    try
                    {
                        await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                    }
                    catch (OperationCanceledException)
                    {
                        cancelled.TrySetResult();
                        throw;
                    }

                    return true;
                });
            },
            services => services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(300)));
        await host.StartAsync(cancellationToken);

        using TestClient client = await TestClient.ConnectAsync(PortOf(host), cancellationToken);
        await client.SendAsync("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", cancellationToken);
        await entered.Task.WaitAsync(s_wait, cancellationToken);

        var stopwatch = Stopwatch.StartNew();
        await host.StopAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);
        await cancelled.Task.WaitAsync(s_wait, cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);

        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the host's 300 ms, not the pool's minute");
        Assert.That(end.Text, Does.Not.Contain("200 OK"));
        LogEntry abandoned = await logs.WaitForAsync(e => e.Category == "Moonbridge.Net.Hosting" && e.EventId.Id == 703).WaitAsync(s_wait, cancellationToken);
        Assert.That(abandoned.Level, Is.EqualTo(LogLevel.Warning));
        await logs.WaitForAsync(e => e.Category == "Moonbridge.Net.Server" && e.EventId.Id == 10).WaitAsync(s_wait, cancellationToken);
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task APoolWhoseMainListenerEndsStopsTheApplication(CancellationToken cancellationToken)
    {
        var logs = new CapturingLoggerProvider();
        using IHost host = BuildHost(logs, [], moonbridge =>
        {
            moonbridge.Pool.Listeners.Add(ListenerSpec.Main("once"));
            moonbridge.Pool.ConnectAsync = (socket, _) => ValueTask.FromResult(socket.Main != "once");
        });
        CancellationToken stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

        await host.StartAsync(cancellationToken);
        await WhenCancelledAsync(stopping).WaitAsync(s_wait, cancellationToken);
        await host.StopAsync(cancellationToken);

        LogEntry ended = await logs.WaitForAsync(e => e.Category == "Moonbridge.Net.Hosting" && e.EventId.Id == 704).WaitAsync(s_wait, cancellationToken);
        Assert.That(ended.Level, Is.EqualTo(LogLevel.Information));
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task NamedPoolsBindTheirOwnSectionsAndRunSideBySide(CancellationToken cancellationToken)
    {
        var config = new Dictionary<string, string?>
        {
            ["Moonbridge:first:Listeners:0:Host"] = "127.0.0.1",
            ["Moonbridge:first:Pool:Name"] = "first",
            ["Moonbridge:second:Listeners:0:Host"] = "127.0.0.1",
            ["Moonbridge:second:Pool:Name"] = "second",
        };
        using IHost host = BuildHost(new CapturingLoggerProvider(), config, null, services => services
            .AddMoonbridge("first", moonbridge => moonbridge.UseBlockingHttp(request => Reply(request, "first")))
            .AddMoonbridge("second", moonbridge => moonbridge.UseHttp((request, _) => ValueTask.FromResult(Reply(request, "second")))));
        await host.StartAsync(cancellationToken);
        try
        {
            foreach (string name in new[] { "first", "second" })
            {
                MoonbridgeServer server = host.Services.GetRequiredKeyedService<MoonbridgeHostedService>(name).Server!;
                Assert.That(server.Options.Name, Is.EqualTo(name));
                string response = await GetAsync(server.Listeners[0].Port!.Value, "/", cancellationToken);
                Assert.That(response, Does.EndWith("\r\n\r\n" + name));
            }

            Assert.That(host.Services.GetService<MoonbridgeHostedService>(), Is.Null, "no default pool was added");
        }
        finally
        {
            await host.StopAsync(cancellationToken);
        }

        static bool Reply(HttpRequest request, string text)
        {
            request.SendStatus("200 OK");
            request.SendData(text);
            return true;
        }
    }

    [Test]
    public void APoolNameCanBeRegisteredOnlyOnce()
    {
        var services = new ServiceCollection();
        services.AddMoonbridge(moonbridge => moonbridge.UseHttp(Hello));
        Assert.That(() => services.AddMoonbridge(moonbridge => moonbridge.UseHttp(Hello)), Throws.InvalidOperationException);
        Assert.That(() => services.AddMoonbridge("other", moonbridge => moonbridge.UseHttp(Hello)), Throws.Nothing);
    }

    private static IHost BuildHost(CapturingLoggerProvider logs, Dictionary<string, string?> config, Action<MoonbridgeHostOptions>? configure, Action<IServiceCollection>? services = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(config);
        builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
        if (configure is not null)
        {
            builder.Services.AddMoonbridge(configure);
        }

        services?.Invoke(builder.Services);
        return builder.Build();
    }

    private static int PortOf(IHost host) => host.Services.GetRequiredService<MoonbridgeHostedService>().Server!.Listeners[0].Port!.Value;

    private static async ValueTask<bool> Hello(HttpRequest request, CancellationToken cancellationToken)
    {
        request.SendStatus("200 OK");
        await request.SendDataAsync("hello\n");
        return true;
    }

    private static async Task<string> GetAsync(int port, string target, CancellationToken cancellationToken, params string[] headers)
    {
        using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        string extra = string.Concat(headers.Select(h => h + "\r\n"));
        await client.SendAsync($"GET {target} HTTP/1.1\r\nHost: localhost\r\n{extra}Connection: close\r\n\r\n", cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken).WaitAsync(s_wait, cancellationToken);
        return end.Text;
    }

    private static async Task WhenCancelledAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
