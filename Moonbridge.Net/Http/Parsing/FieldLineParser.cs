namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// One field line, <c>field-name ":" OWS field-value OWS</c> (RFC 9112 §5), without its CRLF. Shared by
/// the header section and the chunked trailer section, which follow the same grammar.
/// </summary>
internal static class FieldLineParser
{
    /// <summary>Splits the line into its name and its value without surrounding whitespace; throws 400 for anything the grammar does not allow.</summary>
    public static void Parse(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        // One scan finds the end of the name and checks it: the first byte that is no tchar must be the colon.
        // Anything else there covers an empty name, obs-fold (a line starting with whitespace, RFC 9112 §5.2),
        // whitespace before the colon (§5.1: a request smuggling vector), a missing colon and any non-tchar.
        int colon = line.IndexOfAnyExcept(HttpCharacters.TokenChars);
        if (colon <= 0 || line[colon] != (byte)':')
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidHeaderLine);
        }

        name = line[..colon];
        value = HttpCharacters.TrimWhitespace(line[(colon + 1)..]);
        if (!HttpCharacters.IsFieldValue(value))
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidHeaderLine);
        }
    }
}
