namespace Moonbridge.Net.Server;

/// <summary>
/// One entry of a <c>listen{...}</c> table: where connections (or timer ticks) come from.
/// Make one with <see cref="Tcp"/>, <see cref="Local"/>, <see cref="Interval"/> or <see cref="Main"/>.
/// </summary>
public abstract record ListenerSpec
{
    private protected ListenerSpec()
    {
    }

    /// <summary>A TCP listener (Lua <c>{proto="tcp", host=..., port=...}</c>).</summary>
    /// <param name="host">Address or name to bind; null or <c>"::"</c> for every interface (dual-stack), <c>"127.0.0.1"</c> or <c>"::1"</c> for loopback.</param>
    /// <param name="port">TCP port; 0 picks a free one, readable from <see cref="MoonbridgeServer.Listeners"/>.</param>
    public static TcpListenerSpec Tcp(string? host, int port) => new(host ?? "::", port);

    /// <summary>A Unix domain socket listener (Lua <c>{proto="local", path=...}</c>); a stale socket file is replaced.</summary>
    /// <param name="path">The socket file's path.</param>
    public static LocalListenerSpec Local(string path) => new(path);

    /// <summary>
    /// A timer (Lua <c>{proto="interval", name=..., delay=..., strict=...}</c>): the connect handler is
    /// called every <paramref name="delay"/> with a socket whose <c>Interval</c> is <paramref name="name"/>.
    /// </summary>
    /// <param name="name">Name passed to the handler; null becomes the empty string.</param>
    /// <param name="delay">Time between runs (first run one delay after start).</param>
    /// <param name="strict">True: runs keep a fixed schedule; false: the delay counts from the end of the previous run.</param>
    public static IntervalListenerSpec Interval(string? name, TimeSpan delay, bool strict = false) => new(name ?? string.Empty, delay, strict);

    /// <summary>
    /// A run-once entry (Lua <c>{proto="main", name=...}</c>): the connect handler runs once at start with a
    /// socket whose <c>Main</c> is <paramref name="name"/>; when it returns anything but true, the server shuts down.
    /// </summary>
    /// <param name="name">Name passed to the handler; null becomes the empty string.</param>
    public static MainListenerSpec Main(string? name = null) => new(name ?? string.Empty);
}

/// <summary>A TCP listener; see <see cref="ListenerSpec.Tcp"/>.</summary>
/// <param name="Host">Address or name to bind.</param>
/// <param name="Port">TCP port, 0 for a free one.</param>
public sealed record TcpListenerSpec(string Host, int Port) : ListenerSpec
{
    /// <summary>
    /// On Linux, hands a connection to the server only once its client has sent something (<c>TCP_DEFER_ACCEPT</c>,
    /// nginx's <c>deferred</c>), or, for a client that stays silent, after about this long (whole seconds, at least
    /// one); null, the default, hands it over as soon as its handshake completes. Meant for protocols whose client
    /// speaks first, such as HTTP: the event loop that accepts the connection reads its first request at once and
    /// the handler finds it there, with no wait for a readiness event, and a client that opens a connection it does
    /// not use yet (a browser's preconnect) holds no handler meanwhile. Not for protocols whose server speaks first:
    /// their clients would wait that long for a greeting. No effect on other systems.
    /// </summary>
    public TimeSpan? DeferAccept { get; init; }
}

/// <summary>A Unix domain socket listener; see <see cref="ListenerSpec.Local"/>.</summary>
/// <param name="Path">The socket file's path.</param>
public sealed record LocalListenerSpec(string Path) : ListenerSpec;

/// <summary>A timer listener; see <see cref="ListenerSpec.Interval"/>.</summary>
/// <param name="Name">Name passed to the handler.</param>
/// <param name="Delay">Time between runs.</param>
/// <param name="Strict">Whether runs keep a fixed schedule.</param>
public sealed record IntervalListenerSpec(string Name, TimeSpan Delay, bool Strict) : ListenerSpec;

/// <summary>A run-once listener; see <see cref="ListenerSpec.Main"/>.</summary>
/// <param name="Name">Name passed to the handler.</param>
public sealed record MainListenerSpec(string Name) : ListenerSpec;
