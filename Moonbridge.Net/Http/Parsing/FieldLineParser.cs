namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// One field line, <c>field-name ":" OWS field-value OWS</c> (RFC 9112 §5): the grammar shared by the header
/// section, however it arrived, and the chunked trailer section.
/// </summary>
internal static class FieldLineParser
{
    /// <summary>
    /// Reads the field line at the start of <paramref name="bytes"/>, finding its CRLF in the scans that check
    /// its name and value. True when the line is sound and ends with CRLF within the bytes;
    /// <paramref name="value"/> is without the whitespace around it and <paramref name="lineLength"/> includes
    /// the CRLF. Never throws.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out int lineLength)
    {
        int end = ReadUntilStop(bytes, out name, out value);
        if (!HeadLineEnd.IsAt(bytes, end))
        {
            lineLength = 0;
            return false;
        }

        lineLength = end + HeadLineEnd.Length;
        return true;
    }

    /// <summary>
    /// Splits <paramref name="line"/>, a whole field line without its line end, into its name and its value
    /// without surrounding whitespace; throws 400 for anything the grammar does not allow.
    /// </summary>
    public static void Parse(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        if (ReadUntilStop(line, out name, out value) != line.Length)
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidHeaderLine);
        }
    }

    /// <summary>
    /// Reads a field line from the start of <paramref name="bytes"/> up to the first byte that can be no part
    /// of one (a CR, when the line is sound) and returns that byte's offset, or the length of the bytes when
    /// there is none; -1 when the line breaks the grammar before its value.
    /// </summary>
    private static int ReadUntilStop(ReadOnlySpan<byte> bytes, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        // One scan finds the end of the name and checks it: the first byte that is no tchar must be the colon.
        // Anything else there covers an empty name, obs-fold (a line starting with whitespace, RFC 9112 §5.2),
        // whitespace before the colon (§5.1: a request smuggling vector), a missing colon and any non-tchar.
        int colon = bytes.IndexOfAnyExcept(HttpCharacters.TokenChars);
        if (colon <= 0 || bytes[colon] != (byte)':')
        {
            name = default;
            value = default;
            return -1;
        }

        int valueStart = colon + 1;
        while (valueStart < bytes.Length && IsWhitespace(bytes[valueStart]))
        {
            valueStart++;
        }

        // Printable ASCII is a range test; only an HTAB or obs-text in the value needs the full set, whose
        // scan then stops at the CR too (CR is no field-value byte).
        ReadOnlySpan<byte> rest = bytes[valueStart..];
        int end = rest.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        if (end >= 0 && rest[end] != (byte)'\r')
        {
            int more = rest[end..].IndexOfAnyExcept(HttpCharacters.FieldValueChars);
            end = more < 0 ? -1 : end + more;
        }

        if (end < 0)
        {
            end = rest.Length;
        }

        int valueEnd = end;
        while (valueEnd > 0 && IsWhitespace(rest[valueEnd - 1]))
        {
            valueEnd--;
        }

        name = bytes[..colon];
        value = rest[..valueEnd];
        return valueStart + end;
    }

    private static bool IsWhitespace(byte value) => value is (byte)' ' or (byte)'\t';
}
