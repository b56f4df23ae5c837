using System.Buffers;
using System.Runtime.CompilerServices;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO;

public sealed partial class MoonSocket
{
    /// <summary>
    /// Reads without waiting (Lua <c>read_nb</c>): up to <paramref name="maxLength"/> bytes or through
    /// the <paramref name="terminator"/> byte (included), appending them to <paramref name="destination"/>.
    /// Returns <see cref="IoStatus.Block"/> with what was available when more would have to be waited for.
    /// </summary>
    /// <param name="destination">Receives the bytes read.</param>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/>; 0 returns at once with <see cref="IoStatus.MaxLen"/>.</param>
    /// <param name="terminator">A byte (0-255) to stop after, or <see cref="NoTerminator"/>; a <see cref="char"/> such as <c>'\n'</c> converts.</param>
    public IoReadResult ReadNb(IBufferWriter<byte> destination, long maxLength = Unlimited, int terminator = NoTerminator)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Validate(maxLength, terminator);
        return Open().ReadCore(destination, maxLength, terminator);
    }

    /// <summary>Reads, waiting as long as needed (Lua <c>read</c>); see <see cref="ReadNb(IBufferWriter{byte}, long, int)"/>.</summary>
    /// <param name="destination">Receives the bytes read.</param>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/> to read until the terminator or end of input.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoReadResult Read(IBufferWriter<byte> destination, long maxLength = Unlimited, int terminator = NoTerminator)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Validate(maxLength, terminator);
        return SyncWait.Completed(ReadLoopAsync(new BlockingWaiter(), Open(), destination, maxLength, terminator));
    }

    /// <summary>Reads, calling <paramref name="wait"/> whenever it would block (Lua <c>read_call</c>).</summary>
    /// <param name="wait">Called with this socket and <see cref="IoInterest.Read"/> each time the read blocks.</param>
    /// <param name="destination">Receives the bytes read.</param>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoReadResult ReadCall(IoWait wait, IBufferWriter<byte> destination, long maxLength = Unlimited, int terminator = NoTerminator)
    {
        ArgumentNullException.ThrowIfNull(wait);
        ArgumentNullException.ThrowIfNull(destination);
        Validate(maxLength, terminator);
        return SyncWait.Completed(ReadLoopAsync(new CallbackWaiter(wait), Open(), destination, maxLength, terminator));
    }

    /// <summary>Reads, awaiting input on the reactor without holding a thread (Lua <c>read_yield</c>).</summary>
    /// <param name="destination">Receives the bytes read.</param>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    /// <param name="cancellationToken">Stops waiting; bytes already read stay in <paramref name="destination"/>.</param>
    public ValueTask<IoReadResult> ReadAsync(IBufferWriter<byte> destination, long maxLength = Unlimited, int terminator = NoTerminator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        Validate(maxLength, terminator);
        return ReadLoopAsync(new AsyncWaiter(cancellationToken), Open(), destination, maxLength, terminator);
    }

    /// <summary>Reads without waiting and returns the bytes as a new array (Lua <c>read_nb</c>).</summary>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoData ReadNb(long maxLength = Unlimited, int terminator = NoTerminator)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return ToData(buffer, ReadNb(buffer, maxLength, terminator));
    }

    /// <summary>Reads, waiting as long as needed, and returns the bytes as a new array (Lua <c>read</c>).</summary>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/> (with no terminator: read to end of input).</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoData Read(long maxLength = Unlimited, int terminator = NoTerminator)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return ToData(buffer, Read(buffer, maxLength, terminator));
    }

    /// <summary>Reads with a wait function and returns the bytes as a new array (Lua <c>read_call</c>).</summary>
    /// <param name="wait">Called each time the read blocks.</param>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoData ReadCall(IoWait wait, long maxLength = Unlimited, int terminator = NoTerminator)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return ToData(buffer, ReadCall(wait, buffer, maxLength, terminator));
    }

    /// <summary>Reads asynchronously and returns the bytes as a new array (Lua <c>read_yield</c>).</summary>
    /// <param name="maxLength">Most bytes to read, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public async ValueTask<IoData> ReadAsync(long maxLength = Unlimited, int terminator = NoTerminator, CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return ToData(buffer, await ReadAsync(buffer, maxLength, terminator, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Discards input without waiting (Lua <c>drain_nb</c>); the result's count is the bytes discarded.</summary>
    /// <param name="maxLength">Most bytes to discard, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoReadResult DrainNb(long maxLength = Unlimited, int terminator = NoTerminator)
    {
        Validate(maxLength, terminator);
        return Open().ReadCore(null, maxLength, terminator);
    }

    /// <summary>Discards input, waiting as long as needed (Lua <c>drain</c>).</summary>
    /// <param name="maxLength">Most bytes to discard, or <see cref="Unlimited"/> (with no terminator: to end of input).</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoReadResult Drain(long maxLength = Unlimited, int terminator = NoTerminator)
    {
        Validate(maxLength, terminator);
        return SyncWait.Completed(ReadLoopAsync(new BlockingWaiter(), Open(), null, maxLength, terminator));
    }

    /// <summary>Discards input, calling <paramref name="wait"/> whenever it would block (Lua <c>drain_call</c>).</summary>
    /// <param name="wait">Called each time the drain blocks.</param>
    /// <param name="maxLength">Most bytes to discard, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    public IoReadResult DrainCall(IoWait wait, long maxLength = Unlimited, int terminator = NoTerminator)
    {
        ArgumentNullException.ThrowIfNull(wait);
        Validate(maxLength, terminator);
        return SyncWait.Completed(ReadLoopAsync(new CallbackWaiter(wait), Open(), null, maxLength, terminator));
    }

    /// <summary>Discards input asynchronously (Lua <c>drain_yield</c>).</summary>
    /// <param name="maxLength">Most bytes to discard, or <see cref="Unlimited"/>.</param>
    /// <param name="terminator">A byte to stop after, or <see cref="NoTerminator"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    public ValueTask<IoReadResult> DrainAsync(long maxLength = Unlimited, int terminator = NoTerminator, CancellationToken cancellationToken = default)
    {
        Validate(maxLength, terminator);
        return ReadLoopAsync(new AsyncWaiter(cancellationToken), Open(), null, maxLength, terminator);
    }

    /// <summary>The one loop behind the blocking, Call and async forms: run the core, wait while it blocks.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<IoReadResult> ReadLoopAsync<TWaiter>(TWaiter waiter, SocketConnection connection, IBufferWriter<byte>? destination, long maxLength, int terminator)
        where TWaiter : struct, IIoWaiter
    {
        long remaining = maxLength;
        long total = 0;
        while (true)
        {
            ObjectDisposedException.ThrowIf(connection.IsClosed, this);
            IoReadResult result = connection.ReadCore(destination, remaining, terminator);
            total += result.Count;
            if (remaining > 0)
            {
                remaining -= result.Count;
            }

            if (result.Status != IoStatus.Block)
            {
                return result with { Count = total };
            }

            await waiter.WaitAsync(connection, this, IoInterest.Read).ConfigureAwait(false);
        }
    }

    private static IoData ToData(ArrayBufferWriter<byte> buffer, IoReadResult result)
        => new(buffer.WrittenSpan.ToArray(), result.Status, result.Error);
}
