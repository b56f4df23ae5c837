using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The connect handler <c>HttpHandler.Create</c> makes from an async request handler. It may return with its connection
/// still open, to rest between requests (<see cref="HttpOptions.IdleRestDelay"/>); the pool then calls it again when
/// the client speaks, and it carries on with a new <see cref="Http1Connection"/>.
/// </summary>
internal sealed class AsyncHttpConnectHandler(HttpServerContext context, AsyncHttpRequestHandler handler) : Server.Internal.IRestingConnectHandler
{
    private readonly Http1ConnectionPool _pool = new(context, handler);

    public ValueTask<bool> ServeAsync(MoonSocket socket, CancellationToken cancellationToken)
        => _pool.Rent(socket).RunAsync<AsyncTransportWaiter>(cancellationToken);
}
