using Moonbridge.Net.Http.Internal;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// A byte buffer that grows on demand up to a fixed limit, so a parser that must see a whole token (a form
/// field, a part's header section) holds at most <see cref="Limit"/> bytes however the input is split.
/// Arrays come from the shared pool; <see cref="Release"/> gives them back (forgetting to only costs a GC).
/// </summary>
internal sealed class BoundedByteBuffer
{
    private const int InitialSize = 256;

    private byte[] _buffer = [];
    private int _length;

    public BoundedByteBuffer(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        Limit = limit;
    }

    public int Limit { get; }

    public int Length => _length;

    /// <summary>The capacity currently held; never above the limit rounded up to the pool's array size.</summary>
    public int Capacity => _buffer.Length;

    public Span<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Appends <paramref name="data"/>, or returns false (appending nothing) if that would pass the limit.</summary>
    public bool TryAppend(ReadOnlySpan<byte> data)
    {
        if (data.Length > Limit - _length)
        {
            return false;
        }

        if (data.Length > _buffer.Length - _length)
        {
            Grow(_length + data.Length);
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += data.Length;
        return true;
    }

    public void Clear() => _length = 0;

    public void Release()
    {
        _length = 0;
        PooledArray.Return(ref _buffer);
    }

    private void Grow(int needed)
    {
        // Doubling keeps copying linear; capping at the limit keeps a small limit from renting a large array.
        long target = Math.Max(Math.Max(InitialSize, needed), (long)_buffer.Length * 2);
        PooledArray.Grow(ref _buffer, _length, (int)Math.Min(target, Limit));
    }
}
