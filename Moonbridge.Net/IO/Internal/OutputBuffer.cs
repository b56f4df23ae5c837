using System.Buffers;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Output not yet handed to the kernel: a queue of pooled segments. Unbounded like the original's
/// pending-string queue; callers see its size through <see cref="IoWriteResult.Pending"/> and apply
/// their own back-pressure. Not thread-safe: <see cref="SocketConnection"/> guards it with a lock.
/// </summary>
internal sealed class OutputBuffer
{
    private const int SegmentSize = 16 * 1024;

    private readonly Queue<byte[]> _segments = new();
    private byte[]? _tail;
    private int _headStart;
    private int _tailEnd;

    public long Length { get; private set; }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            if (_tail is null || _tailEnd == _tail.Length)
            {
                _tail = ArrayPool<byte>.Shared.Rent(SegmentSize);
                _tailEnd = 0;
                if (_segments.Count == 0)
                {
                    _headStart = 0;
                }

                _segments.Enqueue(_tail);
            }

            int count = Math.Min(data.Length, _tail.Length - _tailEnd);
            data[..count].CopyTo(_tail.AsSpan(_tailEnd));
            _tailEnd += count;
            Length += count;
            data = data[count..];
        }
    }

    /// <summary>The first contiguous run of pending bytes.</summary>
    public ReadOnlyMemory<byte> First
    {
        get
        {
            if (Length == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }

            byte[] head = _segments.Peek();
            int end = ReferenceEquals(head, _tail) ? _tailEnd : head.Length;
            return head.AsMemory(_headStart, end - _headStart);
        }
    }

    public void Consume(long count)
    {
        Length -= count;
        while (count > 0)
        {
            byte[] head = _segments.Peek();
            int end = ReferenceEquals(head, _tail) ? _tailEnd : head.Length;
            int available = end - _headStart;
            if (count < available)
            {
                _headStart += (int)count;
                return;
            }

            count -= available;
            ReleaseHead();
        }

        if (Length == 0 && _segments.Count == 1)
        {
            // Keep nothing while idle: an idle connection should hold no buffer.
            ReleaseHead();
        }
    }

    public void Clear()
    {
        while (_segments.Count > 0)
        {
            ReleaseHead();
        }

        Length = 0;
    }

    private void ReleaseHead()
    {
        byte[] head = _segments.Dequeue();
        if (ReferenceEquals(head, _tail))
        {
            _tail = null;
            _tailEnd = 0;
        }

        _headStart = 0;
        ArrayPool<byte>.Shared.Return(head);
    }
}
