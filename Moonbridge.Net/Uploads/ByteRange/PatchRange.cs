using System.Globalization;

namespace Moonbridge.Net.Uploads.ByteRange;

/// <summary>
/// A part's <c>Content-Range</c> in a byte-range patch (draft-wright-http-patch-byterange): <c>bytes A-B/N</c>,
/// <c>bytes A-B/*</c>, <c>bytes A-/N</c>, <c>bytes A-/*</c> (the end unknown) or <c>bytes */N</c> (only the length).
/// The unit may be left out (<c>A-B/N</c>): the drafts' reference client sends that form.
/// </summary>
internal readonly record struct PatchRange(long? First, long? Last, long? CompleteLength)
{
    /// <summary>Bytes the part carries, when its end is known.</summary>
    public long? Length => First is { } first && Last is { } last ? last - first + 1 : null;

    public static bool TryParse(string? field, out PatchRange range)
    {
        range = default;
        if (field is null)
        {
            return false;
        }

        ReadOnlySpan<char> value = field.AsSpan().Trim();
        if (value.StartsWith("bytes", StringComparison.OrdinalIgnoreCase) && value.Length > 5 && value[5] is ' ' or '\t')
        {
            value = value[6..].TrimStart();
        }

        int slash = value.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        ReadOnlySpan<char> span = value[..slash];
        ReadOnlySpan<char> complete = value[(slash + 1)..];
        long? completeLength = null;
        if (complete is not "*")
        {
            if (!TryDigits(complete, out long n))
            {
                return false;
            }

            completeLength = n;
        }

        if (span is "*")
        {
            range = new PatchRange(null, null, completeLength);
            return completeLength is not null;
        }

        int dash = span.IndexOf('-');
        if (dash <= 0 || !TryDigits(span[..dash], out long first))
        {
            return false;
        }

        long? last = null;
        if (dash < span.Length - 1)
        {
            if (!TryDigits(span[(dash + 1)..], out long end) || end < first)
            {
                return false;
            }

            last = end;
        }

        if (completeLength is { } total && (last ?? first) >= total)
        {
            return false;
        }

        range = new PatchRange(first, last, completeLength);
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        return !text.IsEmpty && text.Length <= 18 && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
