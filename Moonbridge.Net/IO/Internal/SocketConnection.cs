using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// The reactor side of one connection. A receive loop pumps the socket into a <see cref="Pipe"/>
/// (waiting with a zero-byte receive first, so an idle connection holds no buffer); output is
/// queued in an <see cref="OutputBuffer"/>, pushed to the kernel with non-blocking sends, and when
/// the kernel is full, by a background send loop. The non-blocking cores of every
/// <see cref="MoonSocket"/> operation live here, together with the two waits
/// (<see cref="WaitReadableAsync"/>, <see cref="WaitWritableAsync"/>) the other forms loop over.
/// </summary>
internal sealed partial class SocketConnection
{
    /// <summary>Output smaller than this is held back until a flush (Lua's 4 KiB write buffer, larger here).</summary>
    internal const int WriteBufferSize = 16 * 1024;

    private const int MinimumReceiveSize = 16 * 1024;

    /// <summary>The largest single receive: a stream that keeps filling its buffer (an upload) is read in ever larger pieces up to this.</summary>
    private const int MaximumReceiveSize = 256 * 1024;

    // The reader runs inline on the receive loop: when input arrives, the code waiting for it (an HTTP
    // connection parsing its next request, an async handler) continues on the thread that received it,
    // with no second hop through the thread pool. The writer (the receive loop, resumed when a reader
    // frees space) goes through the pool so that it never runs inside a reader's call.
    private static readonly PipeOptions s_inputOptions = new(
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.ThreadPool,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: MinimumReceiveSize,
        useSynchronizationContext: false);

    [ThreadStatic]
    private static bool t_isReceiveLoop;

    /// <summary>
    /// True while code continues inline on a receive loop (see <c>s_inputOptions</c>). Blocking there would
    /// stop that connection's input, so a blocking wait on it is refused (<see cref="SyncWait"/>).
    /// </summary>
    internal static bool IsOnReceiveLoop => t_isReceiveLoop;

    private readonly Socket _socket;
    private readonly Pipe _input = new(s_inputOptions);
    private readonly Task? _connecting;
    private ReadOnlyMemory<byte> _preRead;

    private readonly SocketSender _sender;

    private SocketError _receiveError;
    private bool _readErrorReported;
    private SocketError _abortReason;

    private int _closed;
    private int _aborted;
    private volatile bool _finished;

    /// <param name="socket">The connected socket.</param>
    /// <param name="connecting">A connect still under way; receiving starts once it completes.</param>
    /// <param name="preRead">Bytes received from this connection before (by another process, for a
    /// handed-off connection): the first reads return them.</param>
    internal SocketConnection(Socket socket, Task? connecting = null, ReadOnlyMemory<byte> preRead = default)
    {
        _socket = socket;
        _connecting = connecting;
        _preRead = preRead;
        _sender = new SocketSender(socket, connecting);
        _ = ReceiveLoopAsync();
    }

    internal Socket Socket => _socket;

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
                return _socket.LocalEndPoint;
            }
            catch (Exception e) when (e is ObjectDisposedException or SocketException)
            {
                return null;
            }
        }
    }

    /// <summary>Told the size of every receive, on the receive loop's thread (progress tracking counts uploads with it).</summary>
    internal Action<int>? ReceiveObserver { get; set; }

    internal PipeReader Input => _input.Reader;

    internal bool IsClosed => Volatile.Read(ref _closed) != 0;

    internal bool IsFinished => _finished;

    internal bool IsAborted => Volatile.Read(ref _aborted) != 0;

    /// <summary>True once reading or writing failed, or the connection was aborted.</summary>
    internal bool HasFailed => IsAborted || _receiveError != SocketError.Success || _sender.Error != SocketError.Success;

    private async Task ReceiveLoopAsync()
    {
        PipeWriter writer = _input.Writer;
        try
        {
            if (_connecting is not null)
            {
                await _connecting.ConfigureAwait(false);
            }

            if (!_preRead.IsEmpty)
            {
                _preRead.Span.CopyTo(writer.GetSpan(_preRead.Length));
                writer.Advance(_preRead.Length);
                _preRead = default;
                if ((await writer.FlushAsync().ConfigureAwait(false)).IsCompleted)
                {
                    return;
                }
            }

            bool waitForData = true;
            int receiveSize = MinimumReceiveSize;
            while (true)
            {
                if (waitForData)
                {
                    // Zero-byte receive: completes when data (or FIN) arrives, without a buffer.
                    await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                }

                Memory<byte> buffer = writer.GetMemory(receiveSize);
                int received = await _socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                writer.Advance(received);
                ReceiveObserver?.Invoke(received);

                // A full buffer means more is probably queued in the kernel: read again at once, and more of it
                // per system call. Anything less returns to small reads and, next time, the zero-byte wait.
                waitForData = received < buffer.Length;
                receiveSize = waitForData ? MinimumReceiveSize : Math.Min(receiveSize * 2, MaximumReceiveSize);

                ValueTask<FlushResult> flushing;
                t_isReceiveLoop = true;
                try
                {
                    flushing = writer.FlushAsync();
                }
                finally
                {
                    t_isReceiveLoop = false;
                }

                FlushResult flush = await flushing.ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException e)
        {
            _receiveError = _abortReason != SocketError.Success ? _abortReason : e.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            _receiveError = _abortReason != SocketError.Success ? _abortReason : SocketError.OperationAborted;
        }
        finally
        {
            await writer.CompleteAsync().ConfigureAwait(false);
            SignalReceiveEnded();
        }
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
    }

    private void ResetSocket()
    {
        try
        {
            // Linger 0 turns close() into an RST, as Lua's reset() and handle GC do.
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        _socket.Dispose();
    }
}
