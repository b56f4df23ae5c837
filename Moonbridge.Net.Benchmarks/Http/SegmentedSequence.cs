using System.Buffers;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>
/// Builds a <see cref="ReadOnlySequence{T}"/> over one array cut into fixed-size segments, the shape the
/// connection's input pipe hands out (it rents 16 KiB segments), so body decoders take their multi-segment paths.
/// </summary>
internal static class SegmentedSequence
{
    /// <summary>The input pipe's minimum segment size.</summary>
    public const int PipeSegmentSize = 16 * 1024;

    public static ReadOnlySequence<byte> Create(byte[] bytes, int segmentSize = PipeSegmentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentSize);
        if (bytes.Length <= segmentSize)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes.AsMemory(0, segmentSize), 0);
        Segment last = first;
        for (int start = segmentSize; start < bytes.Length; start += segmentSize)
        {
            last = last.Append(bytes.AsMemory(start, Math.Min(segmentSize, bytes.Length - start)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
