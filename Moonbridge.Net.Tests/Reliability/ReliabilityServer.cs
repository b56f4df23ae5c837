using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Server;

namespace Moonbridge.Net.Tests.Reliability;

/// <summary>
/// A server on 127.0.0.1 for one reliability test, with an async HTTP handler and a pool large enough
/// for the test's connections. Disposing it stops the server and fails if a connect handler failed
/// meanwhile: whatever a client or a handler does, the HTTP module must deal with it itself.
/// </summary>
internal sealed class ReliabilityServer : IAsyncDisposable
{
    private readonly TestServer _server;
    private readonly CapturingLoggerFactory _serverLog;

    private ReliabilityServer(TestServer server, CapturingLoggerFactory serverLog)
    {
        _server = server;
        _serverLog = serverLog;
    }

    public int Port => _server.Port;

    public MoonbridgeServer Server => _server.Server;

    /// <summary>Errors the server (not the HTTP module) logged, such as a failed connect handler.</summary>
    public IReadOnlyCollection<string> ServerErrors => _serverLog.Errors;

    /// <summary>HTTP options with short timeouts, so that a failing test does not wait for long.</summary>
    public static HttpOptions Options() => new()
    {
        IdleTimeout = TimeSpan.FromSeconds(30),
        RequestHeaderTimeout = TimeSpan.FromSeconds(30),
        StallTimeout = TimeSpan.FromSeconds(30),
        DrainTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>Starts a server whose pool admits <paramref name="maxConnections"/> connections at once.</summary>
    public static ReliabilityServer Start(HttpOptions options, AsyncHttpRequestHandler handler, int maxConnections = 64, Action<ListenOptions>? configure = null)
        => Start(TestServer.Options(connectAsync: HttpHandler.Create(options, handler)), maxConnections, configure);

    /// <summary>Starts a server with a blocking handler (each connection holds a worker thread).</summary>
    public static ReliabilityServer Start(HttpOptions options, HttpRequestHandler handler, int maxConnections = 64, Action<ListenOptions>? configure = null)
        => Start(TestServer.Options(connect: HttpHandler.Create(options, handler)), maxConnections, configure);

    /// <summary>A handler that echoes the path and the body it read: <c>path:body</c>.</summary>
    public static async ValueTask<bool> EchoAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        byte[] body = await request.ReadBodyAsync(cancellationToken);
        request.SendStatus(200);
        request.SendHeader("Content-Type", "text/plain");
        await request.SendDataAsync(System.Text.Encoding.Latin1.GetBytes($"{request.Path}:"));
        await request.SendDataAsync(body);
        return true;
    }

    public Task<RawHttpClient> ConnectAsync(CancellationToken cancellationToken) => RawHttpClient.ConnectAsync(Port, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        if (_serverLog.Errors.Count > 0)
        {
            throw new InvalidOperationException("The server logged errors:\n" + string.Join("\n", _serverLog.Errors));
        }
    }

    private static ReliabilityServer Start(ListenOptions options, int maxConnections, Action<ListenOptions>? configure)
    {
        var serverLog = new CapturingLoggerFactory();
        options.MaxFork = maxConnections;
        options.LoggerFactory = serverLog;
        configure?.Invoke(options);
        return new ReliabilityServer(TestServer.StartTcp(options), serverLog);
    }
}
