namespace Moonbridge.Net.Fuzz;

/// <summary>
/// Where an input is cut into pieces for the whole-vs-split comparison. The cuts come from a hash of the input, not
/// from a random source, so one input always runs the same way: afl-fuzz needs that to tell new coverage from noise,
/// and a crash file then reproduces by itself.
/// </summary>
internal static class Cuts
{
    /// <summary>Inputs up to this length are also fed one byte at a time; longer ones would cost quadratic time.</summary>
    private const int ByteByByteLimit = 512;

    /// <summary>The cut plans for <paramref name="input"/>: one cut, a few cuts, and byte by byte for short inputs.</summary>
    public static IEnumerable<int[]> Plans(byte[] input)
    {
        int length = input.Length;
        if (length <= 1)
        {
            yield break;
        }

        var random = Seeded(input);
        yield return [1 + random.Next(length - 1)];
        yield return [.. Enumerable.Range(0, 2 + random.Next(7)).Select(_ => 1 + random.Next(length - 1)).Distinct().Order()];
        if (length <= ByteByByteLimit)
        {
            yield return [.. Enumerable.Range(1, length - 1)];
        }
    }

    /// <summary>A generator seeded by the input's bytes, for the other choices a target makes per input.</summary>
    public static Random Seeded(byte[] input)
    {
        // FNV-1a: cheap, and stable across runs and processes, unlike string hash codes.
        ulong hash = 14695981039346656037;
        foreach (byte b in input)
        {
            hash = (hash ^ b) * 1099511628211;
        }

#pragma warning disable CA5394 // Cuts for a fuzz target, not security: they must repeat for the same input.
        return new Random((int)(hash ^ (hash >> 32)));
#pragma warning restore CA5394
    }

    /// <summary><paramref name="input"/> cut at <paramref name="cuts"/> (increasing, inside the input).</summary>
    public static IEnumerable<ArraySegment<byte>> Pieces(byte[] input, int[] cuts)
    {
        int previous = 0;
        foreach (int cut in cuts.Append(input.Length))
        {
            yield return new ArraySegment<byte>(input, previous, cut - previous);
            previous = cut;
        }
    }

    /// <summary>A plan's name for failure messages.</summary>
    public static string Describe(int[] cuts) => cuts.Length > 16 ? $"{cuts.Length + 1} pieces" : "cuts at " + string.Join(',', cuts);
}
