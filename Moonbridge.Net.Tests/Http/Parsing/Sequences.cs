using System.Buffers;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>Builds the buffer shapes a pipe can hand a parser: one segment, a split, one byte per segment.</summary>
internal static class Sequences
{
    public static ReadOnlySequence<byte> Of(params byte[][] segments)
    {
        if (segments.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        var first = new BufferSegment(segments[0]);
        BufferSegment last = first;
        for (int index = 1; index < segments.Length; index++)
        {
            last = last.Append(segments[index]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> Whole(byte[] bytes) => new(bytes);

    public static ReadOnlySequence<byte> SplitAt(byte[] bytes, int position) => Of(bytes[..position], bytes[position..]);

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes)
    {
        var segments = new byte[bytes.Length][];
        for (int index = 0; index < bytes.Length; index++)
        {
            segments[index] = [bytes[index]];
        }

        return Of(segments);
    }

    /// <summary>How many bytes of <paramref name="sequence"/> lie before <paramref name="position"/>.</summary>
    public static long OffsetOf(in ReadOnlySequence<byte> sequence, SequencePosition position)
        => sequence.Slice(sequence.Start, position).Length;
}
