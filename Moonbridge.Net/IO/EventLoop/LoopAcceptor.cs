using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// Accepting a TCP listener's connections on an event loop. The listening socket is registered with one loop,
/// edge-triggered; an accept is one non-blocking <c>accept4</c> that makes the descriptor non-blocking and
/// close-on-exec itself, and a caller that finds the backlog empty waits for the loop's next input edge and
/// continues on the loop's thread. A server's accept loop, and the async handler it starts, so run on the thread
/// that will receive the connection's bytes: no hop from the runtime's socket engine thread to the thread pool.
/// </summary>
#pragma warning disable CA1001 // The semaphore is never asked for a wait handle, so it holds nothing to release.
internal sealed class LoopAcceptor : IEpollClient
#pragma warning restore CA1001
{
    private readonly SafeHandle _listener;
    private readonly EpollRegistration _registration;
    /// <summary>Connections one accept loop takes in a row before it lets the loop's other events go first.</summary>
    private const int AcceptsPerTurn = 16;

    private readonly ReadinessEdge _pending = new();

    /// <summary>One waiter at a time (the edge has room for one): a second caller (two accept loops, a listener polled twice) queues here.</summary>
    private readonly SemaphoreSlim _accepting = new(1, 1);
    private int _acceptedInARow;

    /// <param name="listener">A bound, listening, non-blocking TCP socket; it stays its owner's, and open until after <see cref="Close"/>.</param>
    /// <param name="loop">The loop that watches it.</param>
    internal LoopAcceptor(Socket listener, EpollLoop loop)
    {
        _listener = listener.SafeHandle;
        _registration = loop.Reserve(_listener, this);
        loop.Watch(_registration);
    }

    /// <summary>
    /// Takes a pending connection without waiting; <see cref="SocketError.WouldBlock"/> when none is pending.
    /// Throws <see cref="ObjectDisposedException"/> once the listening socket is closed.
    /// </summary>
    internal unsafe SocketError TryAccept(out LoopSocketHandle? accepted, out PeerAddress remote)
    {
        accepted = null;
        remote = default;
        byte* address = stackalloc byte[LoopSocketHandle.AddressCapacity];
        bool added = false;
        try
        {
            _listener.DangerousAddRef(ref added);
            int listenerFd = (int)_listener.DangerousGetHandle();
            while (true)
            {
                int length = LoopSocketHandle.AddressCapacity;
                int fd = EpollInterop.Accept4(listenerFd, address, &length, EpollInterop.SockNonBlock | EpollInterop.SockCloexec);
                if (fd >= 0)
                {
                    accepted = new LoopSocketHandle(fd);
                    remote = PeerAddress.FromSockaddr(address, length);
                    return SocketError.Success;
                }

                // A signal, or a connection reset while it waited in the backlog: neither concerns the caller.
                int errno = Marshal.GetLastPInvokeError();
                if (errno is not (EpollInterop.EIntr or EpollInterop.EConnAborted))
                {
                    return EpollInterop.ToSocketError(errno);
                }
            }
        }
        finally
        {
            if (added)
            {
                _listener.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Accepts the next connection, waiting for one without holding a thread; throws <see cref="SocketException"/>
    /// when accepting fails (<see cref="SocketError.TooManyOpenSockets"/> when out of descriptors) and
    /// <see cref="ObjectDisposedException"/> once the listener is closed.
    /// </summary>
    internal ValueTask<(LoopSocketHandle Handle, PeerAddress Remote)> AcceptAsync(CancellationToken cancellationToken)
    {
        // A connection in the backlog within the turn's share is taken here, with no async method and no place in
        // the queue of waiters: only a wait needs the edge, which has room for one waiter. A concurrent accept is
        // the kernel's to arbitrate, and a waiter that loses a connection to it only waits again.
        if (_acceptedInARow >= AcceptsPerTurn || _registration.IsClosed || cancellationToken.IsCancellationRequested)
        {
            return AcceptAfterWaitAsync(edgesSeen: -1, cancellationToken);
        }

        try
        {
            return TryAcceptCounted(out long edges) is { } accepted
                ? new(accepted)
                : AcceptAfterWaitAsync(edges, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return ValueTask.FromException<(LoopSocketHandle, PeerAddress)>(e);
        }
    }

    /// <param name="edgesSeen">The edge count before the backlog was found empty (the wait is for a later edge), or -1 to try first.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(LoopSocketHandle Handle, PeerAddress Remote)> AcceptAfterWaitAsync(long edgesSeen, CancellationToken cancellationToken)
    {
        await _accepting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (edgesSeen < 0 && _acceptedInARow >= AcceptsPerTurn)
            {
                // A burst of connections must not hold the loop's turn: the rest of its events come first.
                _acceptedInARow = 0;
                if (EpollLoop.Current == _registration.Loop)
                {
                    await new LoopTurnYield(_registration.Loop);
                }
            }

            long edges = edgesSeen;
            while (true)
            {
                ObjectDisposedException.ThrowIf(_registration.IsClosed, this);
                if (edges < 0 && TryAcceptCounted(out edges) is { } accepted)
                {
                    return accepted;
                }

                await _pending.WaitAsync(edges, _registration.IsClosed, cancellationToken).ConfigureAwait(false);
                edges = -1;
            }
        }
        finally
        {
            _accepting.Release();
        }
    }

    /// <summary>
    /// One accept that keeps count of the turn's accepts: null when the backlog is empty, with the edge count read
    /// before the attempt (what a wait must see change); throws <see cref="SocketException"/> when accepting fails.
    /// </summary>
    private (LoopSocketHandle Handle, PeerAddress Remote)? TryAcceptCounted(out long edges)
    {
        edges = _pending.Count;
        SocketError error = TryAccept(out LoopSocketHandle? accepted, out PeerAddress remote);
        if (error == SocketError.Success)
        {
            _acceptedInARow++;
            return (accepted!, remote);
        }

        if (error != SocketError.WouldBlock)
        {
            throw new SocketException((int)error);
        }

        _acceptedInARow = 0;
        return null;
    }

    /// <summary>Stops watching the listener (before its owner closes it: the epoll entry would outlive a descriptor handed to another process) and wakes a waiting accept.</summary>
    internal void Close()
    {
        _registration.Forget();
        _registration.Close();
        _pending.Signal();
    }

    bool IEpollClient.OnReadable(bool peerClosing)
    {
        _pending.Signal();
        return false;
    }

    void IEpollClient.OnClosed()
    {
    }

    void IEpollClient.OnFault(Exception exception)
    {
    }
}
