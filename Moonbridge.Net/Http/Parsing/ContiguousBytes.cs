using System.Buffers;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// A span over bytes that may lie in several segments: the first segment itself when they fit in it,
/// else a copy in the caller's stack scratch or, when larger, in a rented array the caller returns.
/// </summary>
internal static class ContiguousBytes
{
    /// <summary>Stack scratch callers provide; larger copies are rented.</summary>
    public const int StackLimit = 256;

    public static ReadOnlySpan<byte> Get(in ReadOnlySequence<byte> bytes, Span<byte> scratch, out byte[]? rented)
    {
        rented = null;
        ReadOnlySpan<byte> first = bytes.FirstSpan;
        int length = checked((int)bytes.Length);
        if (first.Length >= length)
        {
            return first[..length];
        }

        Span<byte> copy = length <= scratch.Length ? scratch : (rented = ArrayPool<byte>.Shared.Rent(length));
        bytes.CopyTo(copy);
        return copy[..length];
    }

    public static void Return(byte[]? rented)
    {
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
