using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO.EventLoop;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// The receiving side of a <see cref="SocketConnection"/> on an <see cref="EpollLoop"/>: the loop's thread receives
/// into the input pipe itself (one <c>recv</c> per readiness edge, trusting a short read to mean the socket is
/// drained) and the pipe's inline reader, the HTTP parser or a handler, runs right there. It replaces
/// <see cref="SocketEngineReceiver"/>; whatever reads the pipe is the same for both.
/// </summary>
internal sealed class LoopReceiver : IEpollClient
{
    /// <summary>Full reads one connection may make per loop turn before the others get theirs.</summary>
    private const int ReadsPerTurn = 4;

    /// <summary>The stack buffer of <see cref="ReceiveNow"/>: a request head, usually whole; more is read into the pipe.</summary>
    private const int FirstReadSize = 4096;

    private readonly SocketConnection _connection;
    private readonly EpollRegistration _registration;

    // All owned by the loop's thread.
    private int _receiveSize = SocketConnection.MinimumReceiveSize;
    private bool _inputPending;
    private bool _peerClosing;
    private bool _paused;
    private bool _ended;
    private bool _resumeFoundReaderDone;
    private ReadOnlyMemory<byte> _preRead;
    private IRestListener? _resting;

    /// <summary>
    /// Reserves the socket's place on <paramref name="loop"/>; <see cref="Start"/> begins watching it. Pre-read input (received
    /// by another process, for a handed-off connection) reaches the reader before anything received here.
    /// </summary>
    internal LoopReceiver(SocketConnection connection, SafeHandle socket, EpollLoop loop, ReadOnlyMemory<byte> preRead)
    {
        _connection = connection;
        _preRead = preRead;
        _registration = loop.Reserve(socket, this);
    }

    internal EpollRegistration Registration => _registration;

    /// <summary>
    /// Registers the socket with the loop: from here on, input reaches the pipe, pre-read input first. With
    /// <paramref name="receiveAtOnce"/>, for a connection whose client is known to have sent something, the socket is
    /// read right away (<see cref="ReceiveNow"/>), before the handler that will read the input starts on the loop.
    /// </summary>
    internal void Start(bool receiveAtOnce = false)
    {
        EpollLoop loop = _registration.Loop;
        if (receiveAtOnce && _preRead.IsEmpty && EpollLoop.Current == loop)
        {
            // Read first, watch at the end of the turn: a connection served and closed within it (a request that asked
            // to close) costs no epoll_ctl; one that stays is watched before the loop sleeps again, and bytes that came
            // in between are reported all the same (epoll checks readiness as it adds a descriptor).
            ReceiveNow();
            loop.Post(static state => ((LoopReceiver)state!).WatchUnlessGone(), this);
            return;
        }

        loop.Watch(_registration);
        if (!_preRead.IsEmpty)
        {
            // Delivered on the loop's thread, the pipe writer's only user, whether this or the first input event comes first.
            loop.Post(static state => ((LoopReceiver)state!).DeliverPreRead(), this);
        }
        else if (receiveAtOnce)
        {
            // Accepted on another loop's thread: posted, it runs before the handler's start, posted to this loop later.
            loop.Post(static state => ((LoopReceiver)state!).ReceiveNow(), this);
        }
    }

    bool IEpollClient.OnReadable(bool peerClosing)
    {
        _inputPending = true;
        _peerClosing |= peerClosing;
        return !_paused && !_ended && DeliverPreRead() && Receive();
    }

    void IEpollClient.OnClosed() => End(SocketError.OperationAborted);

    void IEpollClient.OnFault(Exception exception)
    {
        _connection.Abort(SocketError.SocketError);
        End(SocketError.SocketError);
    }

    /// <summary>Reads what the socket holds into the pipe, handing each piece to the reader at once; true when the turn's share ran out first.</summary>
    private bool Receive()
    {
        for (int reads = 0; reads < ReadsPerTurn; reads++)
        {
            PipeWriter writer = _connection.InputWriter;
            Memory<byte> buffer = writer.GetMemory(_receiveSize);
            int received = _registration.Receive(buffer.Span, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                _inputPending = false;
                return false;
            }

            if (error != SocketError.Success || received == 0)
            {
                End(error);
                return false;
            }

            writer.Advance(received);
            Count(received);

            // A short read drained the socket (an edge comes with the next bytes), unless the peer's end is known
            // to follow: no edge announces it again. A full read doubles the next one.
            bool drained = received < buffer.Length && !_peerClosing;
            _receiveSize = drained ? SocketConnection.MinimumReceiveSize : Math.Min(_receiveSize * 2, SocketConnection.MaximumReceiveSize);

            if (!Publish())
            {
                return false;
            }

            if (drained)
            {
                _inputPending = false;
                return false;
            }
        }

        return true;
    }

    /// <summary>Hands what was written to the pipe's reader (which runs right here); false when receiving must stop for now or for good.</summary>
    private bool Publish()
    {
        ValueTask<FlushResult> flushing = _connection.InputWriter.FlushAsync();
        if (!flushing.IsCompleted)
        {
            // Over a megabyte unread: stop reading until the reader catches up; the socket stays marked readable.
            _paused = true;
            _ = ResumeAfterFlushAsync(flushing);
            return false;
        }

        if (flushing.Result.IsCompleted || _ended)
        {
            End(SocketError.Success);
            return false;
        }

        // Nobody reads a resting connection's input: whoever rests it serves it again, right here.
        WakeResting();
        return !_ended;
    }

    /// <summary>Tells the connection's observer (progress tracking) and the transfer metrics of a receive.</summary>
    private void Count(int received)
    {
        _connection.ReceiveObserver?.Invoke(received);
        TransferMetrics.Received(received);
    }

    /// <summary>Registers the socket with the loop unless it was closed or handed away meanwhile.</summary>
    private void WatchUnlessGone()
    {
        if (!_registration.IsClosed && !_registration.IsForgotten)
        {
            _registration.Loop.Watch(_registration);
        }
    }

    /// <summary>
    /// Receives what the socket holds now, before a readiness edge announced it, on the loop's thread: a connection
    /// accepted once its client spoke has its first request read here, and its handler, started next on this loop,
    /// finds it without waiting for a later turn. Drained here, the socket's first edge is not reported at all (epoll
    /// checks an edge-triggered entry again before it reports it). The read goes to the stack first, so a connection
    /// whose bytes have not come after all (the kernel's wait ran out) holds no segment of the pipe meanwhile.
    /// </summary>
    private void ReceiveNow()
    {
        if (_paused || _ended)
        {
            return;
        }

        Span<byte> first = stackalloc byte[FirstReadSize];
        int received = _registration.Receive(first, out SocketError error);
        if (error == SocketError.WouldBlock)
        {
            return;
        }

        if (error != SocketError.Success || received == 0)
        {
            End(error);
            return;
        }

        _connection.InputWriter.Write(first[..received]);
        Count(received);
        if (Publish() && (received == first.Length || _peerClosing) && Receive())
        {
            // Full reads used the turn's share: the loop comes back for the rest, as after a readiness edge.
            _inputPending = true;
            _registration.Loop.Revisit(_registration);
        }
    }

    /// <summary>
    /// Starts watching for input on the listener's behalf (from any thread; the watch begins on the loop's); wakes it at
    /// once when input is already there, held back by a full pipe, or ended.
    /// </summary>
    internal void Rest(IRestListener listener)
    {
        if (EpollLoop.Current != _registration.Loop)
        {
            _registration.Loop.Post(static state => ((RestRequest)state!).Run(), new RestRequest(this, listener));
        }
        else if (_ended || _paused || HasUnreadInput(endOnly: false))
        {
            listener.OnWake();
        }
        else
        {
            _resting = listener;
            if (_preRead.IsEmpty)
            {
                _connection.ReleaseInput();
            }
        }
    }

    /// <summary>Ends a rest without waking its listener (the idle limit ran out, or the server stops); on the loop's thread.</summary>
    internal void StopResting() => _resting = null;

    /// <summary>
    /// Whether nothing is left to serve: the input ended with nothing unread (the client closed), or the connection
    /// failed or was closed. Asked while nobody reads the input.
    /// </summary>
    internal bool IsInputSpent => _connection.IsClosed || _connection.HasFailed || HasUnreadInput(endOnly: true);

    private void WakeResting()
    {
        if (_resting is { } listener)
        {
            _resting = null;
            listener.OnWake();
        }
    }

    /// <summary>
    /// Whether the pipe holds input nobody has read, or its end (with <paramref name="endOnly"/>, only its end with
    /// nothing before it); asked only while nobody reads it.
    /// </summary>
    internal bool HasUnreadInput(bool endOnly)
    {
        PipeReader reader = _connection.Input;
        try
        {
            if (!reader.TryRead(out ReadResult result))
            {
                return false;
            }

            reader.AdvanceTo(result.Buffer.Start);
            return endOnly ? result.IsCompleted && result.Buffer.IsEmpty : !result.Buffer.IsEmpty || result.IsCompleted;
        }
        catch (InvalidOperationException)
        {
            // The reader was completed: the connection is ending, and its owner must hear of it.
            return true;
        }
    }

    private sealed class RestRequest(LoopReceiver receiver, IRestListener listener)
    {
        public void Run() => receiver.Rest(listener);
    }

    /// <summary>Writes the pre-read input once, before anything received here; false when receiving must stop.</summary>
    private bool DeliverPreRead()
    {
        if (_preRead.IsEmpty || _ended)
        {
            return !_ended;
        }

        _connection.InputWriter.Write(_preRead.Span);
        _preRead = default;
        return Publish();
    }

    private async Task ResumeAfterFlushAsync(ValueTask<FlushResult> flushing)
    {
        bool readerDone;
        try
        {
            readerDone = (await flushing.ConfigureAwait(false)).IsCompleted;
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException)
        {
            readerDone = true;
        }

        _resumeFoundReaderDone = readerDone;
        _registration.Loop.Post(static state => ((LoopReceiver)state!).Resume(), this);
    }

    private void Resume()
    {
        _paused = false;
        if (_resumeFoundReaderDone)
        {
            End(SocketError.Success);
        }
        else if (_inputPending && !_ended && Receive())
        {
            _registration.Loop.Revisit(_registration);
        }
    }

    private void End(SocketError error)
    {
        if (!_ended)
        {
            _ended = true;
            _connection.EndInput(error);
            WakeResting();
        }
    }
}
