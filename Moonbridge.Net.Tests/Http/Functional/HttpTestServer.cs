using Moonbridge.Net.Http;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Server;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>
/// A Moonbridge server on 127.0.0.1 (port 0) serving an HTTP handler, for one test. Disposing it stops
/// the server with a short grace period and fails instead of hanging if that does not complete. It also
/// fails when a connect handler failed: the HTTP module must deal with every client and handler error
/// itself, so the server's "Error in connect handler" never appears.
/// </summary>
internal sealed class HttpTestServer : IAsyncDisposable
{
    private readonly TestServer _server;
    private readonly CapturingLoggerFactory _serverLog;

    private HttpTestServer(TestServer server, CapturingLoggerFactory serverLog)
    {
        _server = server;
        _serverLog = serverLog;
    }

    public int Port => _server.Port;

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    public MoonbridgeServer Server => _server.Server;

    /// <summary>Options for tests: short timeouts where a failing test would otherwise wait long.</summary>
    public static HttpOptions Options() => new()
    {
        IdleTimeout = TimeSpan.FromSeconds(30),
        DrainTimeout = TimeSpan.FromSeconds(2),
    };

    public static HttpTestServer Start(HttpOptions options, HttpRequestHandler handler)
        => Start(TestServer.Options(connect: HttpHandler.Create(options, handler)));

    public static HttpTestServer Start(HttpOptions options, AsyncHttpRequestHandler handler)
        => Start(TestServer.Options(connectAsync: HttpHandler.Create(options, handler)));

    /// <summary>Starts the blocking or the async handler, as <paramref name="form"/> says.</summary>
    public static HttpTestServer Start(HandlerForm form, HttpOptions options, HttpRequestHandler blocking, AsyncHttpRequestHandler async)
        => form == HandlerForm.Blocking ? Start(options, blocking) : Start(options, async);

    public Task<RawHttpClient> ConnectAsync(CancellationToken cancellationToken) => RawHttpClient.ConnectAsync(Port, cancellationToken);

    /// <summary>Stops the server; throws if a connect handler failed meanwhile.</summary>
    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        if (_serverLog.Errors.Count > 0)
        {
            throw new InvalidOperationException("The server logged errors:\n" + string.Join("\n", _serverLog.Errors));
        }
    }

    private static HttpTestServer Start(ListenOptions options)
    {
        var serverLog = new CapturingLoggerFactory();
        options.MaxFork = 64;
        options.LoggerFactory = serverLog;
        return new HttpTestServer(TestServer.StartTcp(options), serverLog);
    }
}
