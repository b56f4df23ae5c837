using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Hosting.Internal;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Hosting;

/// <summary>
/// Runs one Moonbridge pool for the lifetime of the host: <see cref="StartAsync"/> binds its listeners (a
/// binding failure fails the host's start), <see cref="StopAsync"/> stops it gracefully. Registered by
/// <c>AddMoonbridge</c>; resolve it (keyed by the pool's registration name) to reach the running
/// <see cref="Server"/>, e.g. for the ports bound to port 0.
/// </summary>
public sealed class MoonbridgeHostedService : IHostedService, IAsyncDisposable
{
    private readonly MoonbridgeHostOptions _options;
    private readonly IServiceProvider _services;
    private readonly ILoggerFactory _loggerFactory;
    private readonly IHostApplicationLifetime? _lifetime;
    private readonly ILogger _logger;
    private volatile MoonbridgeServer? _server;
    private int _started;
    private volatile bool _stopRequested;

    internal MoonbridgeHostedService(string name, MoonbridgeHostOptions options, IServiceProvider services, ILoggerFactory loggerFactory, IHostApplicationLifetime? lifetime)
    {
        Name = name;
        _options = options;
        _services = services;
        _loggerFactory = loggerFactory;
        _lifetime = lifetime;
        _logger = loggerFactory.CreateLogger(HostingLog.Category);
    }

    /// <summary>The name the pool was registered under (empty for the default pool).</summary>
    public string Name { get; }

    /// <summary>The options the pool runs with.</summary>
    public MoonbridgeHostOptions Options => _options;

    /// <summary>The running server, or null before the host has started it.</summary>
    public MoonbridgeServer? Server => _server;

    /// <summary>
    /// Starts the pool: sets the handler given to <c>UseHttp</c>, adds the configured listeners, makes the
    /// host's <see cref="ILoggerFactory"/> the default of the pool's and the HTTP module's, makes a
    /// <see cref="TimeProvider"/> registered with the host the pool's clock unless the pool has one of its own, and listens.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the host's start is aborted.</param>
    /// <exception cref="InvalidOperationException">The service was started before.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("A Moonbridge hosted service starts only once.");
        }

        ListenOptions pool = _options.Pool;
        pool.LoggerFactory ??= _loggerFactory;
        _options.Http.LoggerFactory ??= _loggerFactory;
        if (pool.TimeProvider == TimeProvider.System && _services.GetService(typeof(TimeProvider)) is TimeProvider clock)
        {
            pool.TimeProvider = clock;
        }

        foreach (MoonbridgeListenerOptions listener in _options.Listeners)
        {
            pool.Listeners.Add(listener.ToListenerSpec());
        }

        _options.HandlerSetup?.Invoke(_services, _options);
        HostingLog.Starting(_logger, pool.Name, pool.Listeners.Count);
        MoonbridgeServer server = MoonbridgeServer.Listen(pool);
        _server = server;
        _ = WatchAsync(server);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops the pool gracefully: running handlers get up to <see cref="ListenOptions.ShutdownTimeout"/>, and
    /// when the host's own shutdown timeout ends first (<paramref name="cancellationToken"/>), the rest are
    /// aborted at once.
    /// </summary>
    /// <param name="cancellationToken">Cancelled when the host's shutdown timeout expires.</param>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        MoonbridgeServer? server = _server;
        if (server is null)
        {
            return;
        }

        _stopRequested = true;
        Task stopped = server.StopAsync();
        try
        {
            await stopped.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The host's shutdown timeout ended first: abort the remaining handlers now, and do not make the
            // host wait for handlers that ignore their token.
            _ = server.Abort();
            HostingLog.StopAbandoned(_logger, server.Options.Name);
            return;
        }

        HostingLog.Stopped(_logger, server.Options.Name);
    }

    /// <summary>Stops the pool gracefully if it still runs.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_server is { } server)
        {
            _stopRequested = true;
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A pool that ends by itself (its main listener returned) takes the application with it, as the original's process did.</summary>
    private async Task WatchAsync(MoonbridgeServer server)
    {
        await server.Completion.ConfigureAwait(false);
        if (!_stopRequested && _lifetime is not null)
        {
            HostingLog.StoppedByItself(_logger, server.Options.Name);
            _lifetime.StopApplication();
        }
    }
}
