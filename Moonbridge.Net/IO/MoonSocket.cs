using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO;

/// <summary>
/// The Moonbridge socket object (Lua <c>socket</c>): a connection with buffered input and output,
/// read up to a terminator or a length, drained, written without blocking, flushed and half-closed.
/// Every operation comes in four forms: blocking (<c>Read</c>), non-blocking (<c>ReadNb</c>),
/// wait-callback (<c>ReadCall</c>) and async (<c>ReadAsync</c>, Lua <c>read_yield</c>).
/// </summary>
/// <remarks>
/// Expected I/O outcomes (terminator, length, end of input, would block, peer reset) are returned as
/// values; misuse (a closed socket, writing after <see cref="Finish"/>) throws. One thread (or one
/// async flow) at a time may use a socket. A socket that is dropped without being closed is reset
/// (TCP RST) when it is garbage-collected, as in the original.
/// </remarks>
public sealed partial class MoonSocket : IPollable, IDisposable, IAsyncDisposable
{
    /// <summary>Pass as <c>maxLength</c> for no length limit (Lua: <c>nil</c>).</summary>
    public const long Unlimited = -1;

    /// <summary>Pass as <c>terminator</c> for no terminator (Lua: <c>nil</c>).</summary>
    public const int NoTerminator = -1;

    private readonly SocketConnection? _connection;
    private EndPoint? _localEndPoint;
    private readonly PeerAddress _peer;
    private EndPoint? _remoteEndPoint;
    private Dictionary<string, object?>? _items;

    internal MoonSocket(SocketConnection connection, EndPoint? localEndPoint, EndPoint? remoteEndPoint)
    {
        _connection = connection;
        _localEndPoint = localEndPoint;
        _remoteEndPoint = remoteEndPoint;
    }

    /// <summary>A connection an event loop accepted: its peer's endpoint is made when first asked for.</summary>
    internal MoonSocket(SocketConnection connection, EndPoint? localEndPoint, PeerAddress peer)
    {
        _connection = connection;
        _localEndPoint = localEndPoint;
        _peer = peer;
    }

    private MoonSocket(string? interval, string? main)
    {
        Interval = interval;
        Main = main;
        GC.SuppressFinalize(this);
    }

    /// <summary>Abandoned sockets are reset, as the original does when it collects a handle.</summary>
    ~MoonSocket()
    {
        try
        {
            _connection?.Reset();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Name of the interval listener whose timer caused this call of the connect handler, else null.
    /// Such a socket has no connection: its I/O methods throw <see cref="InvalidOperationException"/>.
    /// </summary>
    public string? Interval { get; }

    /// <summary>Name of the main listener that caused this call of the connect handler, else null.</summary>
    public string? Main { get; }

    /// <summary>True when this socket stands for a real connection (not an interval or main call).</summary>
    public bool HasConnection => _connection is not null;

    /// <summary>True once <see cref="Close"/> or <see cref="Reset"/> was called.</summary>
    public bool IsClosed => _connection?.IsClosed ?? false;

    /// <summary>
    /// Application data attached to the socket (Lua lets handlers store fields on the socket table).
    /// </summary>
    public IDictionary<string, object?> Items => _items ??= new Dictionary<string, object?>(StringComparer.Ordinal);

    internal SocketConnection? Connection => _connection;

    internal static MoonSocket ForInterval(string name) => new(name, null);

    internal static MoonSocket ForMain(string name) => new(null, name);

    /// <summary>Resets the connection from any thread (timeouts, shutdown): pending and later I/O report an error.</summary>
    internal void Abort(SocketError reason) => _connection?.Abort(reason);

    private SocketConnection Open()
    {
        if (_connection is null)
        {
            throw new InvalidOperationException(
                $"This socket stands for the {(Interval is not null ? "interval" : "main")} listener '{Interval ?? Main}' and has no connection.");
        }

        ObjectDisposedException.ThrowIf(_connection.IsClosed, this);
        return _connection;
    }

    private SocketConnection OpenForWriting()
    {
        SocketConnection connection = Open();
        if (connection.IsFinished)
        {
            throw new InvalidOperationException("Attempt to write to a finished socket.");
        }

        return connection;
    }

    bool IPollable.IsReadable => _connection is null || _connection.IsReadable;

    ValueTask IPollable.WaitReadableAsync(CancellationToken cancellationToken)
        => _connection?.WaitReadableAsync(cancellationToken) ?? ValueTask.CompletedTask;

    internal bool IsWritable => _connection is null || _connection.IsWritable;

    internal ValueTask WaitWritableAsync(CancellationToken cancellationToken)
        => _connection?.WaitWritableAsync(cancellationToken) ?? ValueTask.CompletedTask;

    private static void Validate(long maxLength, int terminator)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, Unlimited);
        if (terminator is < NoTerminator or > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(terminator), terminator, "The terminator must be a single byte (0-255) or NoTerminator.");
        }
    }
}
