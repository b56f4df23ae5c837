using Moonbridge.Net.Http;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Hosting;

/// <summary>
/// What a hosted Moonbridge pool runs: listeners, the pool's options, the HTTP options, and the handler.
/// Bound from the configuration section <c>Moonbridge</c> (or <c>Moonbridge:{name}</c> for a named pool)
/// before the delegate given to <c>AddMoonbridge</c> runs:
/// <code>
/// "Moonbridge": {
///   "Listeners": [ { "Protocol": "Tcp", "Host": "127.0.0.1", "Port": 8080 } ],
///   "Pool": { "Name": "web", "MaxFork": 64, "ShutdownTimeout": "00:00:10" },
///   "Http": { "IdleTimeout": "00:00:30", "RequestBodySizeLimit": 1048576 }
/// }
/// </code>
/// </summary>
public sealed class MoonbridgeHostOptions
{
    /// <summary>The configuration section the default pool is bound from.</summary>
    public const string SectionName = "Moonbridge";

    /// <summary>
    /// Listeners from configuration; when the host starts they are added after any
    /// <see cref="ListenerSpec"/> put directly into <see cref="Pool"/>'s <see cref="ListenOptions.Listeners"/>.
    /// </summary>
    public IList<MoonbridgeListenerOptions> Listeners { get; } = new List<MoonbridgeListenerOptions>();

    /// <summary>
    /// The pool: sizes (<see cref="ListenOptions.PreFork"/>, <see cref="ListenOptions.MinFork"/>,
    /// <see cref="ListenOptions.MaxFork"/>), delays, <see cref="ListenOptions.ShutdownTimeout"/>, and
    /// handlers. Its <see cref="ListenOptions.LoggerFactory"/> defaults to the host's, and its
    /// <see cref="ListenOptions.TimeProvider"/> to a <see cref="TimeProvider"/> registered with the host.
    /// </summary>
    public ListenOptions Pool { get; } = new();

    /// <summary>
    /// The HTTP module's options, used by <see cref="UseHttp(AsyncHttpRequestHandler)"/> and its overloads.
    /// Its <see cref="HttpOptions.LoggerFactory"/> defaults to the host's.
    /// </summary>
    public HttpOptions Http { get; } = new();

    /// <summary>Sets the pool's connect handler when the host starts, from the service provider.</summary>
    internal Action<IServiceProvider, MoonbridgeHostOptions>? HandlerSetup { get; private set; }

    /// <summary>Serves HTTP with an async request handler and <see cref="Http"/>.</summary>
    /// <param name="handler">Called for each request.</param>
    /// <returns>These options, for chaining.</returns>
    public MoonbridgeHostOptions UseHttp(AsyncHttpRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return UseHttp(_ => handler);
    }

    /// <summary>
    /// Serves HTTP with an async request handler made when the host starts, so it can take services
    /// (a <c>ProgressTracker</c>, a store, the <c>ILoggerFactory</c>) from the host's container.
    /// </summary>
    /// <param name="handlerFactory">Makes the handler from the host's service provider; called once per start.</param>
    /// <returns>These options, for chaining.</returns>
    public MoonbridgeHostOptions UseHttp(Func<IServiceProvider, AsyncHttpRequestHandler> handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(handlerFactory);
        HandlerSetup = (services, options) => options.Pool.ConnectAsync = HttpHandler.Create(options.Http, handlerFactory(services));
        return this;
    }

    /// <summary>Serves HTTP with a blocking request handler (each worker gets a thread of its own) and <see cref="Http"/>.</summary>
    /// <param name="handler">Called for each request, on its worker's thread.</param>
    /// <returns>These options, for chaining.</returns>
    public MoonbridgeHostOptions UseBlockingHttp(HttpRequestHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        HandlerSetup = (_, options) => options.Pool.Connect = HttpHandler.Create(options.Http, handler);
        return this;
    }
}
