using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO;

public sealed partial class MoonSocket
{
    /// <summary>
    /// Flushes, then half-closes the sending side (TCP FIN; Lua <c>finish</c>). The peer sees end of
    /// input while this side can still read. Calling it twice, or writing afterwards, throws.
    /// </summary>
    public IoWriteResult Finish()
    {
        SocketConnection connection = OpenForWriting();
        IoWriteResult flushed = Flush();
        connection.ShutdownSend();
        return flushed;
    }

    /// <summary>Flushes asynchronously, then half-closes the sending side (Lua <c>finish</c> in a coroutine).</summary>
    /// <param name="cancellationToken">Stops waiting for the flush; the socket is then not half-closed.</param>
    public async ValueTask<IoWriteResult> FinishAsync(CancellationToken cancellationToken = default)
    {
        SocketConnection connection = OpenForWriting();
        IoWriteResult flushed = await FlushAsync(ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        connection.ShutdownSend();
        return flushed;
    }

    /// <summary>
    /// Flushes and closes gracefully (Lua <c>close</c>). Unread input may make the kernel send an RST,
    /// so drain it first, or use <see cref="Finish"/> and wait for end of input. Closing twice throws.
    /// </summary>
    public IoWriteResult Close()
    {
        SocketConnection connection = Open();
        IoWriteResult flushed = connection.IsFinished ? default : Flush();
        connection.Close();
        return flushed;
    }

    /// <summary>Flushes asynchronously and closes gracefully (Lua <c>close</c> in a coroutine).</summary>
    /// <param name="cancellationToken">Stops waiting for the flush; the socket is then reset instead.</param>
    public async ValueTask<IoWriteResult> CloseAsync(CancellationToken cancellationToken = default)
    {
        SocketConnection connection = Open();
        IoWriteResult flushed = default;
        try
        {
            if (!connection.IsFinished)
            {
                flushed = await FlushAsync(ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            Reset();
            throw;
        }

        connection.Close();
        return flushed;
    }

    /// <summary>
    /// Closes at once with a TCP RST, discarding queued output (Lua <c>reset</c>). Data already
    /// flushed may be lost in transit. Resetting a closed socket throws.
    /// </summary>
    public void Reset()
    {
        Open().Reset();
    }

    /// <summary>Closes the socket gracefully if it is still open; never throws for an already closed socket.</summary>
    public void Dispose()
    {
        if (_connection is { IsClosed: false })
        {
            if (_connection.IsAborted)
            {
                _connection.Reset();
            }
            else
            {
                Close();
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the socket gracefully (asynchronously) if it is still open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_connection is { IsClosed: false })
        {
            if (_connection.IsAborted)
            {
                _connection.Reset();
            }
            else
            {
                await CloseAsync().ConfigureAwait(false);
            }
        }

        GC.SuppressFinalize(this);
    }
}
