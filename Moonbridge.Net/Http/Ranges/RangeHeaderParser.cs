using System.Globalization;

namespace Moonbridge.Net.Http.Ranges;

/// <summary>What a <c>Range</c> field asks of a representation (RFC 9110 §14.2).</summary>
internal enum RangeVerdict
{
    /// <summary>No range, an unknown unit, a syntax error or an abusive list: the whole representation (200).</summary>
    Whole,

    /// <summary>At least one satisfiable range (206).</summary>
    Partial,

    /// <summary>Valid syntax, but no range overlaps the representation (416).</summary>
    Unsatisfiable,
}

/// <summary>
/// Parses <c>Range: bytes=…</c> against a representation's length: <c>first-last</c>, <c>first-</c> and the suffix
/// <c>-count</c>, clipped to the length. A field a server may ignore is ignored (a 200 is always a correct answer):
/// other units, bad syntax, more than <see cref="MaximumRanges"/> ranges, or ranges that ask for more bytes than
/// twice the representation (the overlapping-ranges amplification RFC 9110 §14.2 warns about).
/// </summary>
internal static class RangeHeaderParser
{
    public const int MaximumRanges = 32;

    public static RangeVerdict Parse(string? field, long length, List<ByteRange> ranges)
    {
        ranges.Clear();
        if (field is null)
        {
            return RangeVerdict.Whole;
        }

        ReadOnlySpan<char> value = field.AsSpan().Trim(" \t");
        int equals = value.IndexOf('=');
        if (equals < 0 || !value[..equals].Trim(" \t").Equals("bytes", StringComparison.OrdinalIgnoreCase))
        {
            return RangeVerdict.Whole;
        }

        int count = 0;
        long requested = 0;
        foreach (Range part in value[(equals + 1)..].Split(','))
        {
            ReadOnlySpan<char> spec = value[(equals + 1)..][part].Trim(" \t");
            if (spec.IsEmpty)
            {
                continue; // empty list elements are allowed
            }

            if (++count > MaximumRanges || !TryParseSpec(spec, length, out ByteRange? range))
            {
                ranges.Clear();
                return RangeVerdict.Whole;
            }

            if (range is { } satisfiable)
            {
                requested += satisfiable.Length;
                ranges.Add(satisfiable);
            }
        }

        if (count == 0 || requested > 2 * Math.Max(length, 1))
        {
            ranges.Clear();
            return RangeVerdict.Whole;
        }

        return ranges.Count > 0 ? RangeVerdict.Partial : RangeVerdict.Unsatisfiable;
    }

    /// <summary>False for bad syntax; true with a null range for a valid one that misses the representation.</summary>
    private static bool TryParseSpec(ReadOnlySpan<char> spec, long length, out ByteRange? range)
    {
        range = null;
        int dash = spec.IndexOf('-');
        if (dash < 0)
        {
            return false;
        }

        ReadOnlySpan<char> first = spec[..dash];
        ReadOnlySpan<char> last = spec[(dash + 1)..];
        if (first.IsEmpty)
        {
            // A suffix: the last N bytes.
            if (!TryDigits(last, out long suffix))
            {
                return false;
            }

            if (suffix > 0 && length > 0)
            {
                long take = Math.Min(suffix, length);
                range = new ByteRange(length - take, take);
            }

            return true;
        }

        if (!TryDigits(first, out long start))
        {
            return false;
        }

        long end = length - 1;
        if (!last.IsEmpty)
        {
            if (!TryDigits(last, out long lastByte) || lastByte < start)
            {
                return false;
            }

            end = Math.Min(lastByte, length - 1);
        }

        if (start < length)
        {
            range = new ByteRange(start, end - start + 1);
        }

        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        return !text.IsEmpty && text.Length <= 18 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
