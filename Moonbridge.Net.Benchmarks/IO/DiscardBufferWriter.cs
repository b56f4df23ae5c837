using System.Buffers;

namespace Moonbridge.Net.Benchmarks.IO;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands out one reused array and throws away what is
/// written to it, counting the bytes. Allocation-free after construction (unless a caller asks for
/// more than the array holds, which the read core never does: it asks for no particular size).
/// </summary>
public sealed class DiscardBufferWriter : IBufferWriter<byte>
{
    private byte[] _buffer;

    public DiscardBufferWriter(int size = 64 * 1024) => _buffer = new byte[size];

    /// <summary>Bytes advanced past since construction or the last <see cref="Reset"/>.</summary>
    public long Written { get; private set; }

    public void Reset() => Written = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length);
        Written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Ensure(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Ensure(sizeHint);

    private byte[] Ensure(int sizeHint)
    {
        if (sizeHint > _buffer.Length)
        {
            _buffer = new byte[sizeHint];
        }

        return _buffer;
    }
}
