using System.Buffers;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Output not yet handed to the kernel: a queue of pooled segments. Unbounded like the original's
/// pending-string queue; callers see its size through <see cref="IoWriteResult.Pending"/> and apply
/// their own back-pressure. Not thread-safe: <see cref="SocketSender"/> guards it with a lock.
/// The first segment has a field of its own and a queue is made only for output that needs a second:
/// most connections never do, and every open one would keep a queue and its array otherwise.
/// </summary>
/// <remarks>
/// A mutable struct, kept in its sender's field and only used through it (never copied): one object fewer, 24 bytes
/// less, on every open connection.
/// </remarks>
internal struct OutputBuffer
{
    private const int SegmentSize = 16 * 1024;

    private byte[]? _head;
    private Queue<byte[]>? _more;
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
                if (_head is null)
                {
                    _head = _tail;
                    _headStart = 0;
                }
                else
                {
                    (_more ??= new Queue<byte[]>()).Enqueue(_tail);
                }
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

            byte[] head = _head!;
            int end = ReferenceEquals(head, _tail) ? _tailEnd : head.Length;
            return head.AsMemory(_headStart, end - _headStart);
        }
    }

    public void Consume(long count)
    {
        Length -= count;
        while (count > 0)
        {
            byte[] head = _head!;
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

        if (Length == 0 && _head is not null && _more is not { Count: > 0 })
        {
            // Keep nothing while idle: an idle connection should hold no buffer.
            ReleaseHead();
        }
    }

    public void Clear()
    {
        while (_head is not null)
        {
            ReleaseHead();
        }

        Length = 0;
    }

    private void ReleaseHead()
    {
        byte[] head = _head!;
        _head = _more is { Count: > 0 } ? _more.Dequeue() : null;
        if (ReferenceEquals(head, _tail))
        {
            _tail = null;
            _tailEnd = 0;
        }

        _headStart = 0;
        ArrayPool<byte>.Shared.Return(head);
    }
}
