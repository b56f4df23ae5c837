namespace Moonbridge.Net.Http.Ranges;

/// <summary>One satisfiable byte range of a representation: its first byte and how many bytes follow.</summary>
internal readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;
}
