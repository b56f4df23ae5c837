namespace Moonbridge.Net.IO.Internal;

internal sealed partial class SocketConnection
{
    /// <summary>
    /// The one non-blocking write core behind every write and flush form: queues <paramref name="data"/>, then
    /// hands queued output to the kernel without blocking when a flush is asked for, the queue is large, or an
    /// earlier send blocked. Returns what is still pending (see <see cref="IoWriteResult.Pending"/>).
    /// </summary>
    internal IoWriteResult WriteCore(ReadOnlySpan<byte> data, bool flush) => _sender.Write(data, flush);

    /// <summary>
    /// Declares the output written so far to be complete messages. A protocol that holds several
    /// responses back to send them with one system call marks each end here, so that an abort caused by a
    /// later message (<see cref="Abort"/>) still hands the earlier ones to the kernel instead of losing them.
    /// </summary>
    internal void MarkOutputBoundary() => _sender.MarkBoundary();

    /// <summary>Whether a write would not block: nothing is held up waiting for the kernel.</summary>
    internal bool IsWritable => _sender.IsWritable;

    /// <summary>
    /// Completes when the kernel has taken the output that was blocked (the reactor sends it in the
    /// background meanwhile), or at once if nothing is blocked. Cancelling stops the wait, not the send.
    /// </summary>
    internal ValueTask WaitWritableAsync(CancellationToken cancellationToken) => _sender.WaitWritableAsync(cancellationToken);
}
