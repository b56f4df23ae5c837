using System.Buffers;
using System.Text;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// A growable buffer over <see cref="ArrayPool{T}"/> for response heads and gathered body data.
/// <see cref="Release"/> gives the array back, so an idle connection holds none.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>
{
    private byte[] _array = [];
    private int _written;

    public int WrittenCount => _written;

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, _written);

    public ReadOnlyMemory<byte> WrittenMemory => _array.AsMemory(0, _written);

    public void Advance(int count) => _written += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(_written);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(_written);
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        data.CopyTo(GetSpan(data.Length));
        _written += data.Length;
    }

    /// <summary>Appends Latin-1 text (header names and values are validated to fit).</summary>
    public void WriteLatin1(ReadOnlySpan<char> text)
    {
        _written += Encoding.Latin1.GetBytes(text, GetSpan(text.Length));
    }

    public void Clear() => _written = 0;

    public void Release()
    {
        _written = 0;
        PooledArray.Return(ref _array);
    }

    private void Ensure(int sizeHint)
    {
        int needed = _written + Math.Max(sizeHint, 1);
        if (needed > _array.Length)
        {
            PooledArray.Grow(ref _array, _written, Math.Max(needed, Math.Max(_array.Length * 2, 512)));
        }
    }
}
