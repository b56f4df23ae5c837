using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO;

/// <summary>
/// A listening socket (Lua listener object from <c>moonbridge_io.tcplisten</c>/<c>locallisten</c>):
/// <see cref="Accept"/>, <see cref="AcceptNb"/>, <see cref="AcceptAsync"/> and <see cref="Close"/>.
/// It can be polled for a pending connection with <c>MoonbridgeIO.Poll</c>.
/// </summary>
public sealed class MoonListener : IPollable, IDisposable
{
    private readonly Socket _socket;
    private readonly string? _unixPath;
    private readonly Lock _pendingLock = new();
    private MoonSocket? _pending;
    private LoopAcceptor? _acceptor;
    private int _closed;
    private readonly EndPoint? _acceptedLocalEndPoint;

    /// <summary>Whether accepted connections come with Nagle's algorithm off, inherited from the listening socket.</summary>
    private readonly bool _acceptedNoDelay;

    /// <summary>Whether the kernel hands over connections only once their client sent something (<see cref="DeferAcceptUntilData"/>).</summary>
    private bool _acceptsWithData;

    internal MoonListener(Socket socket, string? unixPath)
    {
        _socket = socket;
        _unixPath = unixPath;
        _socket.Blocking = false;
        LocalEndPoint = socket.LocalEndPoint!;

        // Linux copies a listening TCP socket's options to the connections it accepts: Nagle turned off here spares every
        // accepted connection a setsockopt of its own.
        _acceptedNoDelay = OperatingSystem.IsLinux() && socket.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            && TryTurnOffNagle(socket);

        // The listener's own address is its connections' unless it listens on all of them; then each is asked when wanted.
        _acceptedLocalEndPoint = LocalEndPoint is IPEndPoint { Address: var address } && !address.Equals(IPAddress.Any) && !address.Equals(IPAddress.IPv6Any)
            ? LocalEndPoint
            : null;
    }

    private static bool TryTurnOffNagle(Socket listening)
    {
        try
        {
            listening.NoDelay = true;
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The bound endpoint; for TCP it holds the real port when port 0 was asked for.</summary>
    public EndPoint LocalEndPoint { get; }

    /// <summary>The bound TCP port, or null for a Unix socket.</summary>
    public int? Port => (LocalEndPoint as IPEndPoint)?.Port;

    /// <summary>The socket file's path for a local (Unix) listener, else null.</summary>
    public string? Path => _unixPath;

    /// <summary>The underlying socket (for handing the listening socket to another process).</summary>
    internal Socket Socket => _socket;

    /// <summary>What moves the bytes of the connections this listener accepts (resolved, never <see cref="TransportKind.Auto"/> once set by the server).</summary>
    internal TransportKind Transport { get; private set; } = TransportKind.Auto;

    /// <summary>Chooses what moves accepted connections' bytes; fails now when <paramref name="kind"/> cannot run here.</summary>
    internal void UseTransport(TransportKind kind) => Transport = EventLoopGroup.Resolve(kind);

    /// <summary>
    /// Linux: the kernel hands over a connection only once its client sent something, or after about
    /// <paramref name="wait"/> (<see cref="Server.TcpListenerSpec.DeferAccept"/>); an event loop then reads each
    /// accepted connection's first bytes at once. Elsewhere, and for local listeners, nothing changes.
    /// </summary>
    internal void DeferAcceptUntilData(TimeSpan wait)
    {
        if (!OperatingSystem.IsLinux() || _unixPath is not null)
        {
            return;
        }

        int seconds = (int)Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, int.MaxValue);
        Span<byte> value = stackalloc byte[sizeof(int)];
        BitConverter.TryWriteBytes(value, seconds);
        _socket.SetRawSocketOption(EpollInterop.IpProtoTcp, EpollInterop.TcpDeferAccept, value);
        _acceptsWithData = true;
    }

    /// <summary>True when another process now serves this listener: <see cref="Close"/> must not remove the socket file.</summary>
    internal bool KeepSocketFile { get; set; }

    /// <summary>True once <see cref="Close"/> was called.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Waits for and accepts the next connection (Lua <c>listener:accept()</c>).</summary>
    public MoonSocket Accept() => SyncWait.Wait(AcceptAsync());

    /// <summary>
    /// Accepts a pending connection without waiting, or returns null when none is pending
    /// (Lua <c>listener:accept_nb()</c>, which returns <c>false</c>).
    /// </summary>
    public MoonSocket? AcceptNb()
    {
        ObjectDisposedException.ThrowIf(IsClosed, this);
        if (TakePending() is { } pending)
        {
            return pending;
        }

        if (Acceptor is { } acceptor)
        {
            SocketError error = acceptor.TryAccept(out LoopSocketHandle? handle, out PeerAddress remote);
            return error switch
            {
                SocketError.Success => WrapAccepted(handle!, remote),
                SocketError.WouldBlock => null,
                _ => throw new SocketException((int)error),
            };
        }

        try
        {
            return Wrap(_socket.Accept(), Transport);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.WouldBlock)
        {
            return null;
        }
    }

    /// <summary>Accepts the next connection, awaiting it without holding a thread.</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    public ValueTask<MoonSocket> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            if (TakePending() is { } pending)
            {
                return new(pending);
            }

            if (Acceptor is not { } acceptor)
            {
                return AcceptOnSocketAsync(cancellationToken);
            }

            // A connection already in the backlog (the usual case under load) is wrapped here, without an async method.
            ValueTask<(LoopSocketHandle Handle, PeerAddress Remote)> accepting = acceptor.AcceptAsync(cancellationToken);
            if (!accepting.IsCompletedSuccessfully)
            {
                return WrapWhenAcceptedAsync(accepting);
            }

            (LoopSocketHandle handle, PeerAddress remote) = accepting.Result;
            return new(WrapAccepted(handle, remote));
        }
        catch (Exception e)
        {
            // As from an async method: every failure, a closed listener included, arrives in the returned task.
            return ValueTask.FromException<MoonSocket>(e);
        }
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MoonSocket> WrapWhenAcceptedAsync(ValueTask<(LoopSocketHandle Handle, PeerAddress Remote)> accepting)
    {
        (LoopSocketHandle handle, PeerAddress remote) = await accepting.ConfigureAwait(false);
        return WrapAccepted(handle, remote);
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<MoonSocket> AcceptOnSocketAsync(CancellationToken cancellationToken)
        => Wrap(await _socket.AcceptAsync(cancellationToken).ConfigureAwait(false), Transport);

    /// <summary>
    /// Stops listening. A local listener also removes its socket file (as the original really does;
    /// its manual says otherwise). Closing twice is harmless.
    /// </summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        // Out of the loop's epoll before the descriptor closes (or lives on in the process it was handed to).
        LoopAcceptor? acceptor;
        lock (_pendingLock)
        {
            acceptor = _acceptor;
        }

        acceptor?.Close();
        if (_unixPath is not null && KeepSocketFile)
        {
            // The runtime's Socket.Dispose (and finalizer) deletes the file a Unix socket was bound to;
            // another process serves it now, so only the descriptor is closed.
#pragma warning disable CA1816 // The socket object is abandoned on purpose; its finalizer would delete the file.
            GC.SuppressFinalize(_socket);
#pragma warning restore CA1816
            _socket.SafeHandle.Dispose();
        }
        else
        {
            _socket.Dispose();
        }

        TakePending()?.Reset();
        if (_unixPath is not null && !KeepSocketFile)
        {
            try
            {
                File.Delete(_unixPath);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    bool IPollable.IsReadable
    {
        get
        {
            if (IsClosed)
            {
                return true;
            }

            lock (_pendingLock)
            {
                if (_pending is not null)
                {
                    return true;
                }
            }

            try
            {
                return _socket.Poll(0, SelectMode.SelectRead);
            }
            catch (ObjectDisposedException)
            {
                return true;
            }
        }
    }

    /// <summary>Waiting for a pending connection accepts it and keeps it for the next accept call.</summary>
    async ValueTask IPollable.WaitReadableAsync(CancellationToken cancellationToken)
    {
        lock (_pendingLock)
        {
            if (_pending is not null || IsClosed)
            {
                return;
            }
        }

        MoonSocket accepted;
        try
        {
            accepted = await AcceptAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        lock (_pendingLock)
        {
            if (_pending is null && !IsClosed)
            {
                _pending = accepted;
                return;
            }
        }

        accepted.Reset();
    }

    /// <summary>
    /// Accepting on an event loop (TCP listeners of the event-loop transport), started at the first accept on the
    /// next loop; null when the runtime's socket engine accepts.
    /// </summary>
    private LoopAcceptor? Acceptor
    {
        get
        {
            if (Volatile.Read(ref _acceptor) is { } started)
            {
                return IsClosed ? null : started;
            }

            if (_unixPath is not null || IsClosed || EventLoopGroup.Resolve(Transport) != TransportKind.EventLoop)
            {
                return null;
            }

            lock (_pendingLock)
            {
                return _acceptor ??= IsClosed ? null : new LoopAcceptor(_socket, EventLoopGroup.Next());
            }
        }
    }

    private MoonSocket? TakePending()
    {
        // Nothing is pending unless a poll found a connection: the usual accept takes no lock for it.
        if (Volatile.Read(ref _pending) is null)
        {
            return null;
        }

        lock (_pendingLock)
        {
            MoonSocket? pending = _pending;
            _pending = null;
            return pending;
        }
    }

    /// <summary>A connection the <see cref="LoopAcceptor"/> took: it stays on a loop, with no runtime socket.</summary>
    private MoonSocket WrapAccepted(LoopSocketHandle accepted, PeerAddress remote)
    {
        SocketConnection connection;
        try
        {
            if (!_acceptedNoDelay)
            {
                accepted.SetNoDelay();
            }

            connection = new SocketConnection(accepted, EventLoopGroup.Next(), receiveAtOnce: _acceptsWithData);
        }
        catch
        {
            accepted.Dispose();
            throw;
        }

        return new MoonSocket(connection, _acceptedLocalEndPoint, remote);
    }

    internal static MoonSocket Wrap(Socket accepted, TransportKind transport = TransportKind.Auto)
    {
        if (accepted.AddressFamily != AddressFamily.Unix)
        {
            accepted.NoDelay = true;
        }

        SocketConnection connection;
        try
        {
            EpollLoop? loop = EventLoopGroup.For(transport);
            if (loop is null)
            {
                // The socket engine's sends are the socket's own non-blocking ones; an event loop passes MSG_DONTWAIT per call.
                accepted.Blocking = false;
            }

            connection = new SocketConnection(accepted, loop: loop);
        }
        catch
        {
            accepted.Dispose();
            throw;
        }

        return new MoonSocket(connection, accepted.LocalEndPoint, accepted.RemoteEndPoint);
    }
}
