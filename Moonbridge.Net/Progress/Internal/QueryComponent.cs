using System.Text;

namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// Just enough of <c>application/x-www-form-urlencoded</c> decoding to compare a parameter name and
/// decode an id, without allocating for the common, unencoded case.
/// </summary>
internal static class QueryComponent
{
    private const int NotHex = -1;

    // "%XX" is the longest encoding of one character; a longer raw text cannot decode to a short one.
    private const int MaxEncodedLength = 3;

    /// <summary>
    /// Whether a raw (possibly percent-encoded) name decodes to <paramref name="expected"/>, ignoring ASCII
    /// case only, so that no non-ASCII letter (a dotless i, a long s) can pass for an ASCII one.
    /// </summary>
    public static bool EqualsIgnoreCase(ReadOnlySpan<char> raw, string expected)
    {
        if (!raw.Contains('%'))
        {
            return Ascii.EqualsIgnoreCase(raw, expected);
        }

        if (raw.Length > expected.Length * MaxEncodedLength)
        {
            return false;
        }

        Span<char> decoded = stackalloc char[raw.Length];
        return TryDecode(raw, decoded, out int length) && Ascii.EqualsIgnoreCase(decoded[..length], expected);
    }

    /// <summary>Decodes a raw id value; false when malformed or when the decoded text is not a valid id.</summary>
    public static bool TryDecodeId(ReadOnlySpan<char> raw, out string? id)
    {
        id = null;
        if (!raw.Contains('%'))
        {
            // '+' (an encoded space) is not an id character, so IsValid rejects it without decoding.
            if (!ProgressId.IsValid(raw))
            {
                return false;
            }

            id = raw.ToString();
            return true;
        }

        if (raw.Length > ProgressId.MaxLength * MaxEncodedLength)
        {
            return false;
        }

        Span<char> decoded = stackalloc char[raw.Length];
        if (!TryDecode(raw, decoded, out int length) || !ProgressId.IsValid(decoded[..length]))
        {
            return false;
        }

        id = new string(decoded[..length]);
        return true;
    }

    /// <summary>
    /// Decodes <c>%XX</c> to the byte it names (as a char: every byte above 0x7F fails the ASCII checks
    /// anyway, so no UTF-8 decoding is needed) and <c>+</c> to a space; false on a malformed escape.
    /// </summary>
    private static bool TryDecode(ReadOnlySpan<char> raw, Span<char> destination, out int length)
    {
        length = 0;
        for (int position = 0; position < raw.Length; length++)
        {
            char c = raw[position];
            if (c != '%')
            {
                destination[length] = c == '+' ? ' ' : c;
                position++;
                continue;
            }

            // A '%' needs two hex digits after it.
            if (position + 2 >= raw.Length)
            {
                return false;
            }

            int high = HexValue(raw[position + 1]);
            int low = HexValue(raw[position + 2]);
            if (high == NotHex || low == NotHex)
            {
                return false;
            }

            destination[length] = (char)((high << 4) | low);
            position += MaxEncodedLength;
        }

        return true;
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'A' and <= 'F' => c - 'A' + 10,
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => NotHex,
    };
}
