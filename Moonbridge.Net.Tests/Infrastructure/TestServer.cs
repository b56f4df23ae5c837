using System.Net;
using Moonbridge.Net.Http;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>
/// A server started for one test on 127.0.0.1, port 0. Disposing it stops the server with a short grace
/// period and fails (instead of hanging) if the stop does not complete in time. A server started for an
/// HTTP handler also fails on dispose when a connect handler failed meanwhile: the HTTP module must deal
/// with every client and handler error itself, so the server's "Error in connect handler" never appears.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_stopLimit = TimeSpan.FromSeconds(20);

    private readonly CapturingLoggerFactory? _serverLog;

    private TestServer(MoonbridgeServer server, CapturingLoggerFactory? serverLog)
    {
        Server = server;
        _serverLog = serverLog;
    }

    public MoonbridgeServer Server { get; }

    /// <summary>The port of the first TCP listener.</summary>
    public int Port => Server.Listeners.First(l => l.Spec is TcpListenerSpec).Port
        ?? throw new InvalidOperationException("The TCP listener has no port.");

    public IPEndPoint EndPoint => new(IPAddress.Loopback, Port);

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    /// <summary>Errors the server (not the HTTP module) logged, such as a failed connect handler; empty unless started for HTTP.</summary>
    public IReadOnlyCollection<string> ServerErrors => _serverLog?.Errors ?? [];

    /// <summary>Options suited to tests: no fork delay, a short shutdown grace period.</summary>
    public static ListenOptions Options(AsyncConnectHandler? connectAsync = null, ConnectHandler? connect = null) => new()
    {
        Name = "test",
        ForkDelay = TimeSpan.Zero,
        ShutdownTimeout = s_stopGrace,
        CloseTimeout = TimeSpan.FromSeconds(5),
        ConnectAsync = connectAsync,
        Connect = connect,
    };

    /// <summary>HTTP options for tests: short timeouts where a failing test would otherwise wait long.</summary>
    public static HttpOptions HttpOptions() => new()
    {
        IdleTimeout = TimeSpan.FromSeconds(30),
        DrainTimeout = TimeSpan.FromSeconds(2),
    };

    /// <summary>HTTP options with every client timeout short, so that a failing reliability test does not wait for long.</summary>
    public static HttpOptions BoundedHttpOptions()
    {
        HttpOptions options = HttpOptions();
        options.RequestHeaderTimeout = TimeSpan.FromSeconds(30);
        options.StallTimeout = TimeSpan.FromSeconds(30);
        return options;
    }

    /// <summary>Starts a server on the listeners already in <paramref name="options"/>.</summary>
    public static TestServer Start(ListenOptions options) => new(MoonbridgeServer.Listen(options), null);

    /// <summary>Adds a TCP listener on 127.0.0.1, port 0, and starts the server.</summary>
    public static TestServer StartTcp(ListenOptions options)
    {
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        return Start(options);
    }

    /// <summary>Serves a blocking HTTP handler; the pool admits <paramref name="maxConnections"/> connections at once.</summary>
    public static TestServer StartHttp(HttpOptions options, HttpRequestHandler handler, int maxConnections = 64, Action<ListenOptions>? configure = null)
        => StartHttp(Options(connect: HttpHandler.Create(options, handler)), maxConnections, configure);

    /// <summary>Serves an async HTTP handler; the pool admits <paramref name="maxConnections"/> connections at once.</summary>
    public static TestServer StartHttp(HttpOptions options, AsyncHttpRequestHandler handler, int maxConnections = 64, Action<ListenOptions>? configure = null)
        => StartHttp(Options(connectAsync: HttpHandler.Create(options, handler)), maxConnections, configure);

    /// <summary>Serves the blocking or the async handler, as <paramref name="form"/> says.</summary>
    public static TestServer StartHttp(HandlerForm form, HttpOptions options, HttpRequestHandler blocking, AsyncHttpRequestHandler async)
        => form == HandlerForm.Blocking ? StartHttp(options, blocking) : StartHttp(options, async);

    /// <summary>Opens a raw client connection to the server.</summary>
    public Task<TestClient> ConnectAsync(CancellationToken cancellationToken) => TestClient.ConnectAsync(Port, cancellationToken);

    /// <summary>
    /// Sends one bodiless request on a new connection and reads its response; with <paramref name="skipInterim"/>
    /// the final one, after any 1xx.
    /// </summary>
    public async Task<RawHttpResponse> RequestAsync(
        string method, string target, CancellationToken cancellationToken, string extraHeaders = "", string version = "HTTP/1.1", bool skipInterim = false)
    {
        using TestClient client = await ConnectAsync(cancellationToken);
        await client.SendAsync($"{method} {target} {version}\r\nHost: test\r\n{extraHeaders}\r\n", cancellationToken);
        RawHttpResponse response;
        do
        {
            response = await client.ReadResponseAsync(cancellationToken, forHead: method == "HEAD");
        }
        while (skipInterim && response.StatusCode < 200);

        return response;
    }

    /// <summary>Stops the server; throws if a connect handler failed meanwhile.</summary>
    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(s_stopGrace).WaitAsync(s_stopLimit).ConfigureAwait(false);
        if (_serverLog is { Errors.Count: > 0 })
        {
            throw new InvalidOperationException("The server logged errors:\n" + string.Join("\n", _serverLog.Errors));
        }
    }

    private static TestServer StartHttp(ListenOptions options, int maxConnections, Action<ListenOptions>? configure)
    {
        var serverLog = new CapturingLoggerFactory();
        options.MaxFork = maxConnections;
        options.LoggerFactory = serverLog;
        configure?.Invoke(options);
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        return new TestServer(MoonbridgeServer.Listen(options), serverLog);
    }
}
