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
    private readonly int[] _lent = new int[EventLoopGroup.LoopCount];

    /// <summary>
    /// How long an idle connection waits before it rests while its loop <see cref="IsCrowded"/> (if
    /// <see cref="HttpOptions.IdleRestDelay"/> is longer; one that has asked only once rests at once): a burst of
    /// connections then gives its sets (and input pipes) back while they are young, instead of holding them until they
    /// age into the collector's older generations and stay resident after the burst, while busy keep-alive clients,
    /// whose next request comes sooner, keep theirs (resting at every gap would make a crowded loop rent a set per request).
    /// </summary>
    internal static readonly TimeSpan CrowdedRestDelay = TimeSpan.FromMilliseconds(10);

    /// <summary>Whether more of <paramref name="loop"/>'s sets are out than it keeps (see <see cref="CrowdedRestDelay"/>).</summary>
    public bool IsCrowded(EpollLoop loop) => Volatile.Read(ref _lent[loop.Index]) > MaxKeptPerLoop;

    /// <summary>Parts bound to <paramref name="socket"/>: a kept set of this loop's, else a new one (pooled when it may be).</summary>
    public Http1Connection Rent(MoonSocket socket)
    {
        TimeProvider time = Server.MoonbridgeServer.CurrentTimeProvider;
        EpollLoop? loop = EpollLoop.Current;
        Http1Connection connection;
        if (time == TimeProvider.System && loop is not null && socket.Connection?.Loop == loop)
        {
            Stack<Http1Connection> kept = _kept[loop.Index] ??= new Stack<Http1Connection>();
            Interlocked.Increment(ref _lent[loop.Index]);
            connection = kept.TryPop(out Http1Connection? reused) ? reused
                : new Http1Connection(context, time, asyncHandler: handler) { Home = (this, loop) };
        }
        else
        {
            connection = new Http1Connection(context, time, asyncHandler: handler);
        }

        connection.Bind(socket);
        return connection;
    }

    /// <summary>Keeps an ended connection's parts when it ended on the loop it was rented on and the loop keeps fewer than <see cref="MaxKeptPerLoop"/>.</summary>
    public bool TryReturn(Http1Connection connection, EpollLoop loop)
    {
        // Home is set only on parts rented from the loop's stack, so it exists.
        Stack<Http1Connection> kept = _kept[loop.Index]!;
        Interlocked.Decrement(ref _lent[loop.Index]);
        if (EpollLoop.Current != loop || kept.Count >= MaxKeptPerLoop)
        {
            return false;
        }

        kept.Push(connection);
        return true;
    }
}
