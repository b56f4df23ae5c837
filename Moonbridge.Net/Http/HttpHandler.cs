using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.IO.Internal;
using Moonbridge.Net.Server;

namespace Moonbridge.Net.Http;

/// <summary>
/// Turns an HTTP request handler into a connect handler for <c>MoonbridgeServer.Listen</c> (Lua
/// <c>http.generate_handler</c>). The connect handler serves every request of its connection
/// (keep-alive, pipelining) and keeps the worker only if every request handler returned true.
/// </summary>
public static class HttpHandler
{
    /// <summary>Creates a blocking connect handler (for <see cref="ListenOptions.Connect"/>) from a blocking request handler.</summary>
    /// <param name="options">HTTP options; later changes to them have no effect.</param>
    /// <param name="handler">Called for each request, on the worker's own thread.</param>
    public static ConnectHandler Create(HttpOptions options, HttpRequestHandler handler)
    {
        HttpServerContext context = Prepare(options, handler);
        return socket => SyncWait.Completed(new Http1Connection(socket, context, handler: handler).RunAsync<BlockingTransportWaiter>(MoonbridgeServer.HandlerCancellationOrNone));
    }

    /// <summary>Creates an async connect handler (for <see cref="ListenOptions.ConnectAsync"/>) from an async request handler.</summary>
    /// <param name="options">HTTP options; later changes to them have no effect.</param>
    /// <param name="handler">Called for each request.</param>
    public static AsyncConnectHandler Create(HttpOptions options, AsyncHttpRequestHandler handler)
    {
        return new AsyncHttpConnectHandler(Prepare(options, handler), handler).ServeAsync;
    }

    private static HttpServerContext Prepare(HttpOptions options, Delegate handler)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        options.Validate();
        return new HttpServerContext(options);
    }
}
