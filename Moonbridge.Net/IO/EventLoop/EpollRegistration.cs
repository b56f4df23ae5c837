using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// One socket on an <see cref="EpollLoop"/>: registered once, edge-triggered for input and output, never
/// modified afterwards. It does the socket's non-blocking <c>recv</c>/<c>send</c> (holding the handle so a
/// close on another thread cannot hand the descriptor number to a new socket mid-call), and turns the
/// loop's output edges into the one wait a blocked sender needs (<see cref="ReadinessEdge"/>).
/// </summary>
internal sealed unsafe class EpollRegistration : ReadinessEdge.IEdgeCount
{
    private const int Closed = 1;
    private const int Forgotten = 2;

    private readonly SafeHandle _handle;
    private readonly int _fd;

    /// <summary>The wait for room for output, made at the first send the kernel refuses: most connections never need one.</summary>
    private ReadinessEdge? _output;
    private long _outputEdges;
    private int _state; // Closed | Forgotten: one int, so the object takes 72 bytes, not 80

    internal EpollRegistration(EpollLoop loop, SafeHandle socket, IEpollClient client, int slot, uint id)
    {
        Loop = loop;
        _handle = socket;
        _fd = (int)_handle.DangerousGetHandle();
        Client = client;
        Slot = slot;
        Id = id;
    }

    internal EpollLoop Loop { get; }

    internal IEpollClient Client { get; }

    internal int Slot { get; }

    internal uint Id { get; }

    internal int Fd => _fd;

    internal bool IsClosed => (Volatile.Read(ref _state) & Closed) != 0;

    /// <summary>True once <see cref="Forget"/> took the descriptor off epoll (it is leaving the process): it must not be watched again.</summary>
    internal bool IsForgotten => (Volatile.Read(ref _state) & Forgotten) != 0;

    /// <summary>The count of output edges so far: read it before a send, hand it to <see cref="WaitWritableAsync"/> after <c>EAGAIN</c>.</summary>
    internal long OutputEdges => Volatile.Read(ref _outputEdges);

    long ReadinessEdge.IEdgeCount.Edges => OutputEdges;

    /// <summary>Receives without blocking; <see cref="SocketError.WouldBlock"/> when nothing is there.</summary>
    internal int Receive(Span<byte> buffer, out SocketError error)
        => Transfer(&EpollInterop.Recv, ref MemoryMarshal.GetReference(buffer), buffer.Length, EpollInterop.MsgDontWait, out error);

    /// <summary>Sends without blocking and without <c>SIGPIPE</c>; <see cref="SocketError.WouldBlock"/> when the kernel took nothing.</summary>
    internal int Send(ReadOnlySpan<byte> data, out SocketError error)
        => Transfer(&EpollInterop.Send, ref MemoryMarshal.GetReference(data), data.Length, EpollInterop.MsgDontWait | EpollInterop.MsgNoSignal, out error);

    /// <summary>One <c>recv</c> or <c>send</c> with the handle held, retried on <c>EINTR</c>; a closed handle reads as an aborted operation.</summary>
    private int Transfer(delegate*<int, byte*, nint, int, nint> call, ref byte start, int length, int flags, out SocketError error)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            fixed (byte* at = &start)
            {
                while (true)
                {
                    nint moved = call(_fd, at, length, flags);
                    if (moved >= 0)
                    {
                        error = SocketError.Success;
                        return (int)moved;
                    }

                    int errno = Marshal.GetLastPInvokeError();
                    if (errno != EpollInterop.EIntr)
                    {
                        error = EpollInterop.ToSocketError(errno);
                        return 0;
                    }
                }
            }
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
            return 0;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// Completes at the first output edge after the send that <paramref name="edgesBeforeSend"/> was read for
    /// (at once if one already came), or when the registration closes. One waiter at a time.
    /// </summary>
    internal ValueTask WaitWritableAsync(long edgesBeforeSend)
    {
        ReadinessEdge output = Volatile.Read(ref _output) ?? MakeOutputEdge();
        return output.WaitAsync(edgesBeforeSend, IsClosed);
    }

    /// <summary>
    /// On the loop's thread: the socket reported room for output (or an error a sender must see). The count goes up
    /// before the edge is looked for: a waiter that made its edge after this look still finds the count moved.
    /// </summary>
    internal void SignalWritable()
    {
        Interlocked.Increment(ref _outputEdges);
        Volatile.Read(ref _output)?.Signal();
    }

    private ReadinessEdge MakeOutputEdge()
    {
        var made = new ReadinessEdge(this);
        return Interlocked.CompareExchange(ref _output, made, null) ?? made;
    }

    /// <summary>
    /// Takes the descriptor out of the loop's epoll now (from any thread), before it is handed to another
    /// process: an epoll entry lives as long as the open file, wherever it went.
    /// </summary>
    internal void Forget()
    {
        if ((Interlocked.Or(ref _state, Forgotten) & Closed) == 0)
        {
            _ = EpollInterop.EpollCtl(Loop.EpollFd, EpollInterop.EpollCtlDel, _fd, null);
        }
    }

    /// <summary>
    /// Ends the registration from any thread: the slot is freed, a blocked sender wakes, and the client's
    /// <see cref="IEpollClient.OnClosed"/> runs on the loop's thread. Closing the socket removes it from epoll.
    /// </summary>
    internal void Close()
    {
        if ((Interlocked.Or(ref _state, Closed) & Closed) != 0)
        {
            return;
        }

        SignalWritable();
        Loop.Remove(this);
    }
}
