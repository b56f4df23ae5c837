using System.IO.Pipelines;
using System.Net.Sockets;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// What a protocol layer (HTTP, a hand-off) needs from one connection, and all it may use of it: buffered
/// input it reads and advances past, a wait for more input, output written without blocking with a wait for
/// room, and the ends (half-close, abort). <see cref="SocketConnection"/> implements it over a receive loop and
/// a send queue; an event loop with its own threads is meant to be the second implementation.
/// </summary>
/// <remarks>
/// The input side follows <see cref="PipeReader"/>: every <see cref="TryRead"/> or <see cref="ReadAsync"/> that
/// returns a buffer is followed by one <see cref="AdvanceTo(SequencePosition, SequencePosition)"/>. Waits may
/// complete on the transport's own thread (see <see cref="SocketConnection.IsOnReceiveLoop"/>).
/// </remarks>
internal interface IConnectionTransport
{
    /// <summary>Takes what input is buffered without waiting; false when nothing new is there.</summary>
    bool TryRead(out ReadResult result);

    /// <summary>Waits until new input, the end of input or an error is there.</summary>
    ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Ends the pending (or, if none is, the next) <see cref="ReadAsync"/> with a result marked
    /// <see cref="ReadResult.IsCanceled"/>, from any thread: a bounded wait ends this way without an exception.
    /// </summary>
    void CancelPendingRead();

    /// <summary>Marks input up to <paramref name="consumed"/> as used and seen.</summary>
    void AdvanceTo(SequencePosition consumed);

    /// <summary>Marks input up to <paramref name="consumed"/> as used, and up to <paramref name="examined"/> as seen.</summary>
    void AdvanceTo(SequencePosition consumed, SequencePosition examined);

    /// <summary>
    /// Queues <paramref name="data"/> and hands queued output to the kernel without blocking when asked to
    /// (<paramref name="flush"/>) or when enough is queued; reports what is still pending, or the sticky error.
    /// </summary>
    IoWriteResult Write(ReadOnlySpan<byte> data, bool flush);

    /// <summary>Completes when blocked output was taken (or at once if none is); cancelling stops the wait, not the send.</summary>
    ValueTask WaitWritableAsync(CancellationToken cancellationToken);

    /// <summary>Output written so far is complete messages: an abort still sends it.</summary>
    void MarkOutputBoundary();

    /// <summary>Half-closes the sending side after the caller flushed; reading goes on.</summary>
    void ShutdownSend();

    /// <summary>
    /// The peer has sent all it will (it asked for the close, and its last message was read to the end): closing
    /// needs no FIN ahead of <c>close()</c> to keep input arriving after it from turning the close into an RST.
    /// </summary>
    void PeerSentAll();

    /// <summary>Resets the connection from any thread; waits and later operations report <paramref name="reason"/>.</summary>
    void Abort(SocketError reason);

    /// <summary>True once this side closed, reset or aborted the connection.</summary>
    bool IsClosed { get; }

    /// <summary>True once reading or writing failed, or the connection was aborted.</summary>
    bool HasFailed { get; }

    /// <summary>
    /// Registers the one watcher of the peer closing its end: <paramref name="callback"/> runs once, on the
    /// transport's thread, even while nobody reads; at once if that already happened.
    /// </summary>
    void OnPeerClosed(Action<object?> callback, object? state);

    /// <summary>Forgets the watcher registered with <paramref name="state"/>, whose owner ended: the connection must not keep it alive.</summary>
    void ForgetPeerClosed(object? state);

    /// <summary>Told the size of every receive, on the transport's thread; null for none.</summary>
    Action<int>? ReceiveObserver { get; set; }
}
