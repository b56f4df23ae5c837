using System.Buffers;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Grows and gives back the pooled array behind a growable byte buffer. An empty array stands for "none
/// rented", so a buffer that was never written to, or was released, holds nothing from the pool.
/// </summary>
internal static class PooledArray
{
    /// <summary>
    /// Puts a pooled array of at least <paramref name="minimumLength"/> bytes in place of <paramref name="array"/>,
    /// keeping its first <paramref name="keptLength"/> bytes; the old array goes back to the pool.
    /// </summary>
    public static void Grow(ref byte[] array, int keptLength, int minimumLength)
    {
        byte[] larger = ArrayPool<byte>.Shared.Rent(minimumLength);
        array.AsSpan(0, keptLength).CopyTo(larger);
        Return(ref array);
        array = larger;
    }

    /// <summary>Gives <paramref name="array"/> back to the pool, unless it is the empty one, and leaves the empty one in its place.</summary>
    public static void Return(ref byte[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
            array = [];
        }
    }
}
