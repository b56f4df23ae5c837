using System.Text;

namespace Moonbridge.Net.Tests.Reliability.Fuzzing;

/// <summary>
/// A small structure-unaware mutator: bit flips, interesting bytes, inserted tokens of the format,
/// deleted, duplicated and spliced ranges, truncation. Deterministic for a given seed.
/// </summary>
internal sealed class Mutator
{
    private const int MaxLength = 8 * 1024;

    private static readonly byte[] s_interestingBytes =
        [0, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', (byte)':', (byte)';', (byte)'=', (byte)',', (byte)'"', (byte)'\\',
         (byte)'-', (byte)'+', (byte)'0', (byte)'9', (byte)'a', (byte)'f', (byte)'F', (byte)'&', (byte)'%', (byte)'/', (byte)'?',
         0x7f, 0x80, 0xff, 0xc3];

    private readonly Random _random;
    private readonly byte[][] _tokens;

    public Mutator(Random random, IEnumerable<string> tokens)
    {
        _random = random;
        _tokens = [.. tokens.Select(Encoding.Latin1.GetBytes)];
    }

    /// <summary>True once in <paramref name="odds"/> calls, on average.</summary>
    public bool Chance(int odds) => _random.Next(odds) == 0;

    /// <summary>A random number from 0 to <paramref name="maxExclusive"/> - 1.</summary>
    public int Next(int maxExclusive) => _random.Next(maxExclusive);

    /// <summary>One to four mutations of <paramref name="input"/>, sometimes spliced with <paramref name="other"/>.</summary>
    public byte[] Mutate(byte[] input, byte[] other)
    {
        var data = new List<byte>(input);
        int count = 1 + _random.Next(4);
        for (int i = 0; i < count; i++)
        {
            MutateOnce(data, other);
        }

        if (data.Count > MaxLength)
        {
            data.RemoveRange(MaxLength, data.Count - MaxLength);
        }

        return [.. data];
    }

    /// <summary>Random cut points dividing <paramref name="length"/> bytes into pieces (at least one piece, none empty).</summary>
    public int[] SplitPoints(int length)
    {
        if (length <= 1)
        {
            return [];
        }

        return _random.Next(4) switch
        {
            // Byte by byte.
            0 => [.. Enumerable.Range(1, length - 1)],

            // One cut.
            1 => [1 + _random.Next(length - 1)],

            // A few cuts.
            _ => [.. Enumerable.Range(0, 1 + _random.Next(Math.Min(8, length - 1))).Select(_ => 1 + _random.Next(length - 1)).Distinct().Order()],
        };
    }

    private void MutateOnce(List<byte> data, byte[] other)
    {
        int position = data.Count == 0 ? 0 : _random.Next(data.Count + 1);
        switch (_random.Next(10))
        {
            case 0 when data.Count > 0:
                int flip = _random.Next(data.Count);
                data[flip] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[_random.Next(data.Count)] = s_interestingBytes[_random.Next(s_interestingBytes.Length)];
                break;
            case 2:
                data.Insert(position, s_interestingBytes[_random.Next(s_interestingBytes.Length)]);
                break;
            case 3:
            case 4:
                data.InsertRange(position, _tokens[_random.Next(_tokens.Length)]);
                break;
            case 5 when data.Count > 0:
                int start = _random.Next(data.Count);
                data.RemoveRange(start, 1 + _random.Next(Math.Min(16, data.Count - start)));
                break;
            case 6 when data.Count > 0:
                int from = _random.Next(data.Count);
                int length = 1 + _random.Next(Math.Min(64, data.Count - from));
                data.InsertRange(position, data.GetRange(from, length));
                break;
            case 7 when other.Length > 0:
                // Splice: the head of this input, the tail of another.
                int cut = _random.Next(other.Length);
                data.RemoveRange(position, data.Count - position);
                data.AddRange(other.AsSpan(cut).ToArray());
                break;
            case 8 when data.Count > 0:
                data.RemoveRange(position == data.Count ? data.Count - 1 : position, data.Count - (position == data.Count ? data.Count - 1 : position));
                break;
            default:
                data.Insert(position, (byte)_random.Next(256));
                break;
        }
    }
}
