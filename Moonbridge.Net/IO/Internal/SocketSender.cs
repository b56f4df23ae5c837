using System.Net.Sockets;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO.EventLoop;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// The sending side of a <see cref="SocketConnection"/>: output is queued in an <see cref="OutputBuffer"/>,
/// pushed to the kernel with non-blocking sends, and, when the kernel is full, by a background send loop.
/// Write errors are sticky; an abort still hands the output marked complete to the kernel.
/// </summary>
internal sealed class SocketSender(Socket? socket, Task? connecting)
{
    /// <summary>The runtime socket the socket engine sends on; null when an event loop's <see cref="Registration"/> does.</summary>
    private readonly Socket? _socket = socket;
    private readonly Task? _connecting = connecting;
    private OutputBuffer _output; // a mutable struct: used in place, never copied
    private bool _sendBlocked;
    private bool _sending;
    private Task _sendLoop = Task.CompletedTask;
    private SocketError _writeError;
    private SocketError _abortReason;

    /// <summary>Bytes ever accepted for output, and bytes the kernel has taken: their difference is pending.</summary>
    private long _writtenTotal;
    private long _sentTotal;

    /// <summary>Output up to here forms complete messages (<see cref="MarkBoundary"/>); an abort still sends it.</summary>
    private long _completeOutputEnd;

    /// <summary>
    /// The event loop registration that sends for this connection and signals room for output; null while the
    /// runtime's socket engine does. Set once, before anyone writes.
    /// </summary>
    public EpollRegistration? Registration { get; set; }

    /// <summary>The sticky write error; <see cref="SocketError.Success"/> while writing works.</summary>
    public SocketError Error => _writeError;

    /// <summary>
    /// The sender's own monitor guards the output: a <see cref="Lock"/> would be one more object (40 B) on every open
    /// connection, and the lock is rarely contended (a handler's thread against the loop's). Nothing else locks on it.
    /// </summary>
    private object OutputLock => this;

    /// <summary>Before the connection is reset: sends what was marked complete, then fails every later write with <paramref name="reason"/>.</summary>
    public void Abort(SocketError reason)
    {
        _abortReason = reason;
        lock (OutputLock)
        {
            if (_writeError == SocketError.Success)
            {
                SendCompleteOutputLocked();
                _writeError = reason;
            }
        }
    }

    /// <summary>Records a failure found outside a send (a failed half-close).</summary>
    public void Fail(SocketError error)
    {
        lock (OutputLock)
        {
            _writeError = error;
        }
    }

    /// <summary>The connection closed: later writes fail, and queued output is released unless a send loop still reads it.</summary>
    public void Close()
    {
        lock (OutputLock)
        {
            if (_writeError == SocketError.Success)
            {
                _writeError = SocketError.Shutdown;
            }

            if (!_sending)
            {
                // A running send loop still reads its head segment; it clears the queue when it fails.
                _output.Clear();
            }
        }
    }

    /// <summary>
    /// The one non-blocking write core behind every write and flush form: queues
    /// <paramref name="data"/>, then hands queued output to the kernel without blocking when a flush
    /// is asked for, the queue is large, or an earlier send blocked. Returns what is still pending
    /// (see <see cref="IoWriteResult.Pending"/>).
    /// </summary>
    public IoWriteResult Write(ReadOnlySpan<byte> data, bool flush)
    {
        lock (OutputLock)
        {
            if (_writeError == SocketError.Success && _connecting is { IsCompleted: true, IsCompletedSuccessfully: false })
            {
                _writeError = (_connecting.Exception?.InnerException as SocketException)?.SocketErrorCode ?? SocketError.NotConnected;
            }

            if (_writeError != SocketError.Success)
            {
                return IoWriteResult.Failed(_writeError);
            }

            _writtenTotal += data.Length;
            if (!_sending && _connecting is { IsCompleted: false })
            {
                _output.Write(data);
                _sendBlocked = true;
                StartSendLoopLocked();
                return new IoWriteResult(_output.Length);
            }

            if (!_sending && _output.Length == 0 && (flush || data.Length >= SocketConnection.WriteBufferSize))
            {
                // A flush or a large write into an empty queue: hand it to the kernel straight from the caller's
                // memory, and queue only what the kernel did not take (a keep-alive response thus goes out without
                // a pooled segment rented, copied into and returned).
                data = data[SendNonBlockingLocked(data)..];
                if (_writeError != SocketError.Success)
                {
                    return IoWriteResult.Failed(_writeError);
                }

                if (_sendBlocked)
                {
                    // The kernel just refused the rest: queue it without asking again in the same call.
                    _output.Write(data);
                    return new IoWriteResult(_output.Length);
                }
            }

            _output.Write(data);
            if (!_sending && (flush || _sendBlocked || _output.Length >= SocketConnection.WriteBufferSize))
            {
                // Try the kernel again, as Lua's write_nb/flush_nb do on every call: it may have room by
                // now. Without this, a send that blocked once kept every later call from sending at all
                // until something started the background send loop (only a wait for writability does).
                _sendBlocked = false;
                while (_output.Length > 0 && !_sendBlocked && _writeError == SocketError.Success)
                {
                    _output.Consume(SendNonBlockingLocked(_output.First.Span));
                }

                if (_writeError != SocketError.Success)
                {
                    _output.Clear();
                    return IoWriteResult.Failed(_writeError);
                }

                if (_output.Length == 0)
                {
                    _sendBlocked = false;
                }
            }

            long pending = _output.Length;
            return new IoWriteResult(flush || _sendBlocked || _sending ? pending : 0);
        }
    }

    /// <summary>Sends what the kernel takes now; sets <see cref="_sendBlocked"/> when it takes less.</summary>
    private int SendNonBlockingLocked(ReadOnlySpan<byte> data)
    {
        int total = 0;
        while (total < data.Length)
        {
            int sent;
            SocketError error;
            try
            {
                sent = Registration is { } registration
                    ? registration.Send(data[total..], out error)
                    : _socket!.Send(data[total..], SocketFlags.None, out error);
            }
            catch (ObjectDisposedException)
            {
                sent = 0;
                error = SocketError.OperationAborted;
            }

            _sentTotal += sent;
            TransferMetrics.Sent(sent);
            if (error == SocketError.WouldBlock)
            {
                _sendBlocked = true;
                return total + sent;
            }

            if (error != SocketError.Success)
            {
                _writeError = _abortReason != SocketError.Success ? _abortReason : error;
                return total;
            }

            total += sent;
        }

        _sendBlocked = false;
        return total;
    }

    /// <summary>
    /// Declares the output written so far to be complete messages. A protocol that holds several
    /// responses back to send them with one system call marks each end here, so that an abort caused by a
    /// later message (<see cref="SocketConnection.Abort"/>) still hands the earlier ones to the kernel instead of losing them.
    /// </summary>
    /// <remarks>
    /// Without the lock (one per response): the writer marks right after its own writes, so it reads its own count, and
    /// an abort on another thread that runs concurrently sends up to this mark or the one before, as it would with it.
    /// </remarks>
    public void MarkBoundary() => Volatile.Write(ref _completeOutputEnd, Volatile.Read(ref _writtenTotal));

    /// <summary>Before an abort: a last non-blocking attempt to send the output marked complete, and no more.</summary>
    private void SendCompleteOutputLocked()
    {
        long owed = Volatile.Read(ref _completeOutputEnd) - _sentTotal;
        while (owed > 0 && !_sending && !_sendBlocked && _output.Length > 0 && _writeError == SocketError.Success)
        {
            ReadOnlySpan<byte> first = _output.First.Span;
            int sent = SendNonBlockingLocked(first[..(int)Math.Min(first.Length, owed)]);
            _output.Consume(sent);
            owed -= sent;
        }
    }

    /// <summary>Whether a write would not block: nothing is held up waiting for the kernel.</summary>
    public bool IsWritable
    {
        get
        {
            lock (OutputLock)
            {
                return _writeError != SocketError.Success || !(_sending || _sendBlocked);
            }
        }
    }

    /// <summary>
    /// Completes when the kernel has taken the output that was blocked (the reactor sends it in the
    /// background meanwhile), or at once if nothing is blocked. Cancelling stops the wait, not the send.
    /// </summary>
    public ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        Task sendLoop;
        lock (OutputLock)
        {
            if (_writeError != SocketError.Success || _output.Length == 0)
            {
                return ValueTask.CompletedTask;
            }

            if (!_sending)
            {
                StartSendLoopLocked();
            }

            sendLoop = _sendLoop;
        }

        return sendLoop.IsCompleted ? ValueTask.CompletedTask : new ValueTask(sendLoop.WaitAsync(cancellationToken));
    }

    private void StartSendLoopLocked()
    {
        _sending = true;
        _sendLoop = SendLoopAsync();
    }

    private async Task SendLoopAsync()
    {
        // Leave the caller's lock before the first send.
        await Task.Yield();
        if (_connecting is not null)
        {
            try
            {
                await _connecting.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                EndSendLoop(e is SocketException se ? se.SocketErrorCode : SocketError.NotConnected);
                return;
            }
        }

        while (true)
        {
            ReadOnlyMemory<byte> head;
            lock (OutputLock)
            {
                if (_output.Length == 0 || _writeError != SocketError.Success)
                {
                    _sending = false;
                    _sendBlocked = false;
                    if (_writeError != SocketError.Success)
                    {
                        _output.Clear();
                    }

                    return;
                }

                head = _output.First;
            }

            SocketError error = SocketError.Success;
            int sent = 0;
            try
            {
                sent = Registration is { } registration
                    ? await SendWhenWritableAsync(registration, head).ConfigureAwait(false)
                    : await _socket!.SendAsync(head, SocketFlags.None).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                error = e.SocketErrorCode;
            }
            catch (ObjectDisposedException)
            {
                error = SocketError.OperationAborted;
            }

            if (error != SocketError.Success)
            {
                EndSendLoop(error);
                return;
            }

            lock (OutputLock)
            {
                _output.Consume(sent);
                _sentTotal += sent;
            }

            TransferMetrics.Sent(sent);
        }
    }

    /// <summary>The send loop's send on an event loop: non-blocking, waiting for the loop's next output edge while the kernel is full.</summary>
    private static async ValueTask<int> SendWhenWritableAsync(EpollRegistration registration, ReadOnlyMemory<byte> data)
    {
        while (true)
        {
            long edges = registration.OutputEdges;
            int sent = registration.Send(data.Span, out SocketError error);
            if (error == SocketError.Success)
            {
                return sent;
            }

            if (error != SocketError.WouldBlock)
            {
                throw new SocketException((int)error);
            }

            await registration.WaitWritableAsync(edges).ConfigureAwait(false);
        }
    }

    private void EndSendLoop(SocketError error)
    {
        lock (OutputLock)
        {
            if (_writeError == SocketError.Success)
            {
                _writeError = _abortReason != SocketError.Success ? _abortReason : error;
            }

            _output.Clear();
            _sending = false;
            _sendBlocked = false;
        }
    }
}
