using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO;

public sealed partial class MoonSocket
{
    /// <summary>
    /// Queues <paramref name="data"/> without waiting (Lua <c>write_nb</c>) and passes queued output to
    /// the kernel when enough has gathered. <see cref="IoWriteResult.Pending"/> is 0 when nothing is held
    /// up, else the bytes still queued; the reactor keeps sending them in the background.
    /// </summary>
    /// <param name="data">The bytes to send; may be empty to retry sending what is queued.</param>
    public IoWriteResult WriteNb(ReadOnlySpan<byte> data) => OpenForWriting().WriteCore(data, flush: false);

    /// <summary>Queues UTF-8 text without waiting (Lua <c>write_nb</c>).</summary>
    /// <param name="text">The text to send.</param>
    public IoWriteResult WriteNb(string text) => WithUtf8(text, static (socket, bytes) => socket.WriteNb(bytes));

    /// <summary>Queues data and waits until the kernel has taken all but a small held-back portion (Lua <c>write</c>).</summary>
    /// <param name="data">The bytes to send.</param>
    public IoWriteResult Write(ReadOnlySpan<byte> data) => Complete(new BlockingWaiter(), WriteNb(data), flush: false);

    /// <summary>Queues UTF-8 text, waiting as <see cref="Write(ReadOnlySpan{byte})"/> does (Lua <c>write</c>).</summary>
    /// <param name="text">The text to send.</param>
    public IoWriteResult Write(string text) => WithUtf8(text, static (socket, bytes) => socket.Write(bytes));

    /// <summary>Queues data, calling <paramref name="wait"/> while the kernel cannot take it (Lua <c>write_call</c>).</summary>
    /// <param name="wait">Called with this socket and <see cref="IoInterest.Write"/> each time the write blocks.</param>
    /// <param name="data">The bytes to send.</param>
    public IoWriteResult WriteCall(IoWait wait, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(wait);
        return Complete(new CallbackWaiter(wait), WriteNb(data), flush: false);
    }

    /// <summary>Queues data and awaits the kernel taking it, holding no thread (Lua <c>write_yield</c>).</summary>
    /// <param name="data">The bytes to send; they are copied before the method returns.</param>
    /// <param name="cancellationToken">Stops waiting; the data stays queued.</param>
    public ValueTask<IoWriteResult> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        => CompleteAsync(WriteNb(data.Span), flush: false, cancellationToken);

    /// <summary>Queues UTF-8 text asynchronously (Lua <c>write_yield</c>).</summary>
    /// <param name="text">The text to send.</param>
    /// <param name="cancellationToken">Stops waiting; the data stays queued.</param>
    public ValueTask<IoWriteResult> WriteAsync(string text, CancellationToken cancellationToken = default)
        => CompleteAsync(WriteNb(text), flush: false, cancellationToken);

    /// <summary>
    /// Queues <paramref name="data"/> and passes everything queued to the kernel without waiting
    /// (Lua <c>flush_nb</c>); <see cref="IoWriteResult.Pending"/> is what it could not take yet.
    /// </summary>
    /// <param name="data">Bytes to send first; may be empty.</param>
    public IoWriteResult FlushNb(ReadOnlySpan<byte> data) => OpenForWriting().WriteCore(data, flush: true);

    /// <summary>Passes everything queued to the kernel without waiting (Lua <c>flush_nb()</c>).</summary>
    public IoWriteResult FlushNb() => FlushNb(ReadOnlySpan<byte>.Empty);

    /// <summary>Queues UTF-8 text and flushes without waiting (Lua <c>flush_nb</c>).</summary>
    /// <param name="text">The text to send.</param>
    public IoWriteResult FlushNb(string text) => WithUtf8(text, static (socket, bytes) => socket.FlushNb(bytes));

    /// <summary>Queues <paramref name="data"/> and waits until the kernel has taken everything (Lua <c>flush</c>).</summary>
    /// <param name="data">Bytes to send first; may be empty.</param>
    public IoWriteResult Flush(ReadOnlySpan<byte> data) => Complete(new BlockingWaiter(), FlushNb(data), flush: true);

    /// <summary>Waits until the kernel has taken everything queued (Lua <c>flush()</c>).</summary>
    public IoWriteResult Flush() => Flush(ReadOnlySpan<byte>.Empty);

    /// <summary>Queues UTF-8 text and flushes, waiting (Lua <c>flush</c>).</summary>
    /// <param name="text">The text to send.</param>
    public IoWriteResult Flush(string text) => WithUtf8(text, static (socket, bytes) => socket.Flush(bytes));

    /// <summary>Queues data and flushes, calling <paramref name="wait"/> while blocked (Lua <c>flush_call</c>).</summary>
    /// <param name="wait">Called with this socket and <see cref="IoInterest.Write"/> each time the flush blocks.</param>
    /// <param name="data">Bytes to send first; may be empty.</param>
    public IoWriteResult FlushCall(IoWait wait, ReadOnlySpan<byte> data = default)
    {
        ArgumentNullException.ThrowIfNull(wait);
        return Complete(new CallbackWaiter(wait), FlushNb(data), flush: true);
    }

    /// <summary>Queues data and flushes asynchronously (Lua <c>flush_yield</c>).</summary>
    /// <param name="data">Bytes to send first; may be empty.</param>
    /// <param name="cancellationToken">Stops waiting; the data stays queued.</param>
    public ValueTask<IoWriteResult> FlushAsync(ReadOnlyMemory<byte> data = default, CancellationToken cancellationToken = default)
        => CompleteAsync(FlushNb(data.Span), flush: true, cancellationToken);

    /// <summary>Queues UTF-8 text and flushes asynchronously (Lua <c>flush_yield</c>).</summary>
    /// <param name="text">The text to send.</param>
    /// <param name="cancellationToken">Stops waiting; the data stays queued.</param>
    public ValueTask<IoWriteResult> FlushAsync(string text, CancellationToken cancellationToken = default)
        => CompleteAsync(FlushNb(text), flush: true, cancellationToken);

    private IoWriteResult Complete<TWaiter>(TWaiter waiter, IoWriteResult first, bool flush)
        where TWaiter : struct, IIoWaiter
        => first.IsError || first.Pending == 0 ? first : SyncWait.Completed(WriteLoopAsync(waiter, flush));

    private ValueTask<IoWriteResult> CompleteAsync(IoWriteResult first, bool flush, CancellationToken cancellationToken)
        => first.IsError || first.Pending == 0 ? ValueTask.FromResult(first) : WriteLoopAsync(new AsyncWaiter(cancellationToken), flush);

    /// <summary>The one loop behind the blocking, Call and async forms: wait, retry the core, until nothing is held up.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoWriteResult> WriteLoopAsync<TWaiter>(TWaiter waiter, bool flush)
        where TWaiter : struct, IIoWaiter
    {
        SocketConnection connection = Open();
        while (true)
        {
            await waiter.WaitAsync(connection, this, IoInterest.Write).ConfigureAwait(false);
            ObjectDisposedException.ThrowIf(connection.IsClosed, this);
            IoWriteResult result = connection.WriteCore(ReadOnlySpan<byte>.Empty, flush);
            if (result.IsError || result.Pending == 0)
            {
                return result;
            }
        }
    }

    private IoWriteResult WithUtf8(string text, Func<MoonSocket, ReadOnlySpan<byte>, IoWriteResult> write)
    {
        ArgumentNullException.ThrowIfNull(text);
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= 512)
        {
            Span<byte> small = stackalloc byte[max];
            return write(this, small[..Encoding.UTF8.GetBytes(text, small)]);
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            return write(this, rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
