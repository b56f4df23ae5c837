namespace Moonbridge.Net.Http.Parsing;

/// <summary><c>chunk-size [ chunk-ext ]</c> (RFC 9112 §7.1, §7.1.1), without its CRLF.</summary>
internal static class ChunkLineParser
{
    /// <summary>15 hex digits are at most 2^60 - 1: no long overflows, and no real chunk is larger.</summary>
    private const int MaxSignificantHexDigits = 15;

    /// <summary>The chunk size; throws 400 when the line is not a size with well-formed extensions.</summary>
    public static long ParseSize(ReadOnlySpan<byte> line)
    {
        int digitCount = line.IndexOfAnyExcept(HttpCharacters.HexDigits);
        if (digitCount < 0)
        {
            digitCount = line.Length;
        }

        ReadOnlySpan<byte> significant = line[..digitCount].TrimStart((byte)'0');
        if (digitCount == 0 || significant.Length > MaxSignificantHexDigits)
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidChunk);
        }

        long size = 0;
        foreach (byte digit in significant)
        {
            size = (size << 4) | (uint)HttpCharacters.HexValue(digit);
        }

        ValidateExtensions(line[digitCount..]);
        return size;
    }

    /// <summary>
    /// <c>*( BWS ";" BWS ext-name [ BWS "=" BWS ext-value ] )</c>. Their meaning is ignored, but the
    /// syntax is checked so that nothing but extensions can hide in a size line.
    /// </summary>
    private static void ValidateExtensions(ReadOnlySpan<byte> extensions)
    {
        ReadOnlySpan<byte> rest = extensions;
        while (!rest.IsEmpty)
        {
            // BWS is allowed only before ';' or '=': whitespace ending the line is an error.
            rest = rest.TrimStart(HttpCharacters.Whitespace);
            if (rest.IsEmpty || rest[0] != (byte)';')
            {
                HttpParseErrors.BadRequest(HttpParseErrors.InvalidChunk);
            }

            rest = SkipToken(rest[1..].TrimStart(HttpCharacters.Whitespace));
            ReadOnlySpan<byte> afterName = rest.TrimStart(HttpCharacters.Whitespace);
            if (!afterName.IsEmpty && afterName[0] == (byte)'=')
            {
                ReadOnlySpan<byte> value = afterName[1..].TrimStart(HttpCharacters.Whitespace);
                rest = !value.IsEmpty && value[0] == (byte)'"' ? SkipQuotedString(value) : SkipToken(value);
            }
        }
    }

    /// <summary>The text after the token <paramref name="text"/> starts with; throws if it starts with none.</summary>
    private static ReadOnlySpan<byte> SkipToken(ReadOnlySpan<byte> text)
    {
        int length = text.IndexOfAnyExcept(HttpCharacters.TokenChars);
        if (length == 0 || text.IsEmpty)
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidChunk);
        }

        return length < 0 ? default : text[length..];
    }

    /// <summary>
    /// The text after the quoted-string (RFC 9110 §5.6.4) <paramref name="text"/> starts with: qdtext is
    /// HTAB, SP, VCHAR except '"' and '\', or obs-text; quoted-pair is '\' and HTAB, SP, VCHAR or obs-text.
    /// </summary>
    private static ReadOnlySpan<byte> SkipQuotedString(ReadOnlySpan<byte> text)
    {
        int index = 1;
        while (index < text.Length)
        {
            byte current = text[index];
            if (current == (byte)'"')
            {
                return text[(index + 1)..];
            }

            if (current == (byte)'\\')
            {
                index++;
                if (index == text.Length)
                {
                    break;
                }

                current = text[index];
            }

            if (!HttpCharacters.IsFieldValueByte(current))
            {
                break;
            }

            index++;
        }

        HttpParseErrors.BadRequest(HttpParseErrors.InvalidChunk);
        return default;
    }
}
