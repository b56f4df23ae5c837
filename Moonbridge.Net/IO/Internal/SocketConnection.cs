using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.IO.EventLoop;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// The reactor side of one connection. Its receiver pumps the socket into a <see cref="Pipe"/>: an
/// event loop's thread (<see cref="LoopReceiver"/>) or a receive loop on .NET's socket engine
/// (<see cref="SocketEngineReceiver"/>); output is queued in an <see cref="OutputBuffer"/>, pushed to the
/// kernel with non-blocking sends, and when the kernel is full, by a background send loop. The non-blocking cores of every
/// <see cref="MoonSocket"/> operation live here, together with the two waits
/// (<see cref="WaitReadableAsync"/>, <see cref="WaitWritableAsync"/>) the other forms loop over.
/// </summary>
internal sealed partial class SocketConnection
{
    /// <summary>Output smaller than this is held back until a flush (Lua's 4 KiB write buffer, larger here).</summary>
    internal const int WriteBufferSize = 16 * 1024;

    internal const int MinimumReceiveSize = 16 * 1024;

    /// <summary>The largest single receive: a stream that keeps filling its buffer (an upload) is read in ever larger pieces up to this.</summary>
    internal const int MaximumReceiveSize = 256 * 1024;

    /// <summary>
    /// True while code continues inline on a receive loop (see <see cref="InputPipePool.Options"/>). Blocking there would
    /// stop that connection's input, so a blocking wait on it is refused (<see cref="SyncWait"/>).
    /// </summary>
    internal static bool IsOnReceiveLoop => ReceiveLoopThread.IsCurrent;

    /// <summary>Before the descriptor leaves the process: no more readiness events for it here.</summary>
    internal void ForgetDescriptor() => _loopReceiver?.Registration.Forget();

    /// <summary>The runtime's socket; null for a connection an event loop accepted itself (<see cref="_loopHandle"/>).</summary>
    private readonly Socket? _socket;
    private readonly LoopSocketHandle? _loopHandle;
    private Pipe? _input; // made at first use, on a loop from its InputPipePool
    private int _inputEndedSides; // InputPipePool.ReaderSide | WriterSide, each set once
    private readonly Task? _connecting;
    private readonly LoopReceiver? _loopReceiver;

    private readonly SocketSender _sender;

    private SocketError _receiveError;
    private bool _readErrorReported;
    private SocketError _abortReason;

    private bool _sendShutDown;
    private bool _peerSentAll;
    private int _closed;
    private int _aborted;
    private volatile bool _finished;

    /// <param name="socket">The connected socket.</param>
    /// <param name="connecting">A connect still under way; receiving starts once it completes.</param>
    /// <param name="preRead">Bytes received from this connection before (by another process, for a
    /// handed-off connection): the first reads return them.</param>
    /// <param name="loop">The event loop that moves the connection's bytes; null for the runtime's socket engine.
    /// A connection still connecting always uses the socket engine.</param>
    internal SocketConnection(Socket socket, Task? connecting = null, ReadOnlyMemory<byte> preRead = default, EpollLoop? loop = null)
    {
        _socket = socket;
        _connecting = connecting;
        _sender = new SocketSender(socket, connecting);
        if (loop is null || connecting is not null)
        {
            _ = SocketEngineReceiver.RunAsync(this, socket, InputPipe.Writer, connecting, preRead);
            return;
        }

        _loopReceiver = new LoopReceiver(this, socket.SafeHandle, loop, preRead);
        _sender.Registration = _loopReceiver.Registration;
        _loopReceiver.Start();
    }

    /// <summary>
    /// A connection an event loop accepted (<see cref="LoopAcceptor"/>): its descriptor, and no runtime socket at all.
    /// With <paramref name="receiveAtOnce"/> (a listener that hands over connections once their client spoke), its first
    /// bytes are read before any readiness event.
    /// </summary>
    internal SocketConnection(LoopSocketHandle accepted, EpollLoop loop, bool receiveAtOnce = false)
    {
        _loopHandle = accepted;
        _sender = new SocketSender(null, null);
        _loopReceiver = new LoopReceiver(this, accepted, loop, default);
        _sender.Registration = _loopReceiver.Registration;
        _loopReceiver.Start(receiveAtOnce);
    }

    /// <summary>
    /// A connection received from another process, whose first reads return <paramref name="preRead"/>: on an event loop
    /// unless the process's transport (<see cref="TransportKind.Auto"/>, <c>MOONBRIDGE_TRANSPORT</c>) says otherwise.
    /// </summary>
    internal static SocketConnection ForAdopted(Socket socket, ReadOnlyMemory<byte> preRead)
        => new(socket, preRead: preRead, loop: EventLoopGroup.For(TransportKind.Auto));

    /// <summary>The event loop that moves this connection's bytes; null on the socket engine.</summary>
    internal EpollLoop? Loop => _loopReceiver?.Registration.Loop;

    /// <summary>The descriptor (to hand the connection to another process).</summary>
    internal SafeHandle Handle => (SafeHandle?)_socket?.SafeHandle ?? _loopHandle!;

    /// <summary>The socket's local endpoint once a connect started here has succeeded; null while it is under way, failed, or the socket is closed.</summary>
    internal EndPoint? EstablishedLocalEndPoint
    {
        get
        {
            if (_connecting is { IsCompletedSuccessfully: false } || IsClosed)
            {
                return null;
            }

            try
            {
                return _socket is not null ? _socket.LocalEndPoint : _loopHandle!.GetLocalEndPoint();
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return null;
            }
        }
    }

    /// <summary>Told the size of every receive, on the receive loop's thread (progress tracking counts uploads with it).</summary>
    internal Action<int>? ReceiveObserver { get; set; }

    internal PipeReader Input => InputPipe.Reader;

    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    internal bool IsFinished => _finished;

    internal bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>True once reading or writing failed, or the connection was aborted.</summary>
    internal bool HasFailed => IsAborted || _receiveError != SocketError.Success || _sender.Error != SocketError.Success;

    /// <summary>
    /// The input ended (the peer's FIN, an error, or this side closing): records the error, completes the pipe and
    /// tells the peer watcher. Called once, by the receiver, on its thread.
    /// </summary>
    internal void EndInput(SocketError error)
    {
        if (error != SocketError.Success)
        {
            _receiveError = _abortReason != SocketError.Success ? _abortReason : error;
        }

        InputPipe.Writer.Complete();
        InputPipePool.SideEnded(ref _input, ref _inputEndedSides, InputPipePool.WriterSide, Loop);
        SignalReceiveEnded();
    }

    /// <summary>
    /// Ends the connection from any thread with a TCP RST (used by timeouts and shutdown): every
    /// waiting or later operation reports <paramref name="reason"/>. The owner still closes it.
    /// </summary>
    internal void Abort(SocketError reason = SocketError.ConnectionAborted)
    {
        if (IsClosed || Interlocked.Exchange(ref _aborted, 1) != 0)
        {
            return;
        }

        _abortReason = reason;
        _sender.Abort(reason);
        ResetSocket();
        _loopReceiver?.Registration.Close();
    }
}
