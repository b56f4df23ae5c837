using Moonbridge.Net.IO;
using Moonbridge.Net.IO.EventLoop;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The HTTP state of ended connections (an <see cref="Http1Connection"/> with its parts: some 25 objects, about
/// 2.5 KB), kept per event loop for that loop's next connection of the same handler. A connection per request then
/// makes none of it, and a keep-alive connection that rests between requests (<see cref="HttpOptions.IdleRestDelay"/>)
/// takes a set back when its client speaks instead of making one.
/// </summary>
/// <remarks>
/// Only the loop's own thread touches its stack, so renting and returning take no lock: a connection is pooled when its
/// connect call starts on the loop that owns its socket (where async handlers start) and is returned only when it ends
/// there too; one that ended on another thread (a handler that awaited away from the loop) is left to the collector.
/// The parts' wait deadline lives on the loop's timers, which is why a set never moves to another loop. Only
/// connections on the system clock are pooled: a test's clock gives each connection its own parts.
/// </remarks>
internal sealed class Http1ConnectionPool(HttpServerContext context, AsyncHttpRequestHandler handler)
{
    /// <summary>Sets kept per loop: enough for the connections a loop serves at once between two rests, little memory when idle.</summary>
    internal const int MaxKeptPerLoop = 64;

    private readonly Stack<Http1Connection>?[] _kept = new Stack<Http1Connection>?[EventLoopGroup.LoopCount];

    /// <summary>Parts bound to <paramref name="socket"/>: a kept set of this loop's, else a new one (pooled when it may be).</summary>
    public Http1Connection Rent(MoonSocket socket)
    {
        Http1Connection connection;
        if (OwnLoopStack(socket) is { } kept)
        {
            connection = kept.TryPop(out Http1Connection? reused) ? reused
                : new Http1Connection(context, TimeProvider.System, asyncHandler: handler) { Home = (this, EpollLoop.Current!) };
        }
        else
        {
            connection = new Http1Connection(context, Server.Internal.HandlerScope.Current?.TimeProvider ?? TimeProvider.System, asyncHandler: handler);
        }

        connection.Bind(socket);
        return connection;
    }

    /// <summary>Keeps an ended connection's parts when it ended on the loop it was rented on and the loop keeps fewer than <see cref="MaxKeptPerLoop"/>.</summary>
    public bool TryReturn(Http1Connection connection, EpollLoop loop)
    {
        Stack<Http1Connection>? kept = _kept[loop.Index];
        if (EpollLoop.Current != loop || kept is null || kept.Count >= MaxKeptPerLoop)
        {
            return false;
        }

        kept.Push(connection);
        return true;
    }

    /// <summary>This loop's stack, when the connect call runs on the loop that owns <paramref name="socket"/> on the system clock; else null.</summary>
    private Stack<Http1Connection>? OwnLoopStack(MoonSocket socket)
    {
        EpollLoop? loop = EpollLoop.Current;
        if (loop is null || socket.Connection?.Loop != loop || (Server.Internal.HandlerScope.Current?.TimeProvider ?? TimeProvider.System) != TimeProvider.System
            || (uint)loop.Index >= (uint)_kept.Length)
        {
            return null;
        }

        return _kept[loop.Index] ??= new Stack<Http1Connection>();
    }
}
