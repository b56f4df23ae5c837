using System.Buffers;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Collects bytes in pooled segments of a fixed size, so growing never copies and the spare capacity is under one
/// segment; <see cref="ToArrayAndClear"/> then makes the one exact copy that is kept. Peak memory for a value of
/// n bytes is therefore about 2n, not the 3n to 4n of a doubling buffer.
/// </summary>
internal sealed class SegmentedByteBuffer
{
    private const int SegmentSize = 64 * 1024;

    private readonly List<byte[]> _segments = [];
    private int _lastLength;

    public long Length { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_segments.Count == 0 || _lastLength == SegmentSize)
            {
                _segments.Add(ArrayPool<byte>.Shared.Rent(SegmentSize));
                _lastLength = 0;
            }

            int take = Math.Min(data.Length, SegmentSize - _lastLength);
            data[..take].CopyTo(_segments[^1].AsSpan(_lastLength));
            _lastLength += take;
            Length += take;
            data = data[take..];
        }
    }

    /// <summary>The bytes collected, in a new array of exactly that length; the segments go back to the pool.</summary>
    public byte[] ToArrayAndClear()
    {
        if (Length == 0)
        {
            return [];
        }

        byte[] result = GC.AllocateUninitializedArray<byte>(checked((int)Length));
        int at = 0;
        for (int i = 0; i < _segments.Count; i++)
        {
            int length = i == _segments.Count - 1 ? _lastLength : SegmentSize;
            _segments[i].AsSpan(0, length).CopyTo(result.AsSpan(at));
            at += length;
        }

        Clear();
        return result;
    }

    public void Clear()
    {
        foreach (byte[] segment in _segments)
        {
            ArrayPool<byte>.Shared.Return(segment);
        }

        _segments.Clear();
        _lastLength = 0;
        Length = 0;
    }
}
