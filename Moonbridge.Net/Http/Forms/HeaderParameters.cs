namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Reads the <c>; name=value</c> parameters that follow the main value of <c>Content-Type</c> and
/// <c>Content-Disposition</c> (RFC 9110 §5.6.6). Lenient like browsers: whitespace around names and
/// <c>=</c> is allowed, a parameter without <c>=</c> is skipped, an unterminated quoted string runs to the end.
/// </summary>
internal static class HeaderParameters
{
    /// <summary>The main value: the text before the first <c>;</c>, trimmed.</summary>
    public static ReadOnlySpan<char> MainValue(ReadOnlySpan<char> header)
    {
        int semicolon = header.IndexOf(';');
        return (semicolon < 0 ? header : header[..semicolon]).Trim();
    }

    /// <summary>
    /// Adds each parameter after the main value to <paramref name="into"/>; the first occurrence of a name wins.
    /// </summary>
    /// <param name="header">The whole header value.</param>
    /// <param name="backslashEscapes">
    /// Whether <c>\x</c> in a quoted string stands for <c>x</c> (RFC 9110). Browsers do not escape that way in
    /// multipart part headers (the HTML standard percent-encodes <c>"</c>, CR and LF in names and file names
    /// and sends <c>\</c> as is), so there a backslash must stay literal.
    /// </param>
    /// <param name="into">Receives the parameters; give it a case-insensitive comparer.</param>
    public static void Parse(ReadOnlySpan<char> header, bool backslashEscapes, IDictionary<string, string> into)
    {
        int semicolon = header.IndexOf(';');
        ReadOnlySpan<char> rest = semicolon < 0 ? [] : header[(semicolon + 1)..];
        while (!rest.IsEmpty)
        {
            int stop = rest.IndexOfAny('=', ';');
            if (stop < 0 || rest[stop] == ';')
            {
                rest = stop < 0 ? [] : rest[(stop + 1)..];
                continue;
            }

            ReadOnlySpan<char> name = rest[..stop].Trim();
            rest = rest[(stop + 1)..].TrimStart();
            string value = rest.StartsWith('"')
                ? ReadQuoted(ref rest, backslashEscapes)
                : ReadToken(ref rest);
            if (!name.IsEmpty)
            {
                into.TryAdd(name.ToString(), value);
            }
        }
    }

    private static string ReadToken(ref ReadOnlySpan<char> rest)
    {
        int end = rest.IndexOf(';');
        ReadOnlySpan<char> token = (end < 0 ? rest : rest[..end]).Trim();
        rest = end < 0 ? [] : rest[(end + 1)..];
        return token.ToString();
    }

    private static string ReadQuoted(ref ReadOnlySpan<char> rest, bool backslashEscapes)
    {
        ReadOnlySpan<char> body = rest[1..];
        int end = backslashEscapes ? body.IndexOfAny('"', '\\') : body.IndexOf('"');
        if (end >= 0 && body[end] == '"')
        {
            // The common case: no escapes, so the value is a plain slice.
            SkipToNextParameter(ref rest, body[(end + 1)..]);
            return body[..end].ToString();
        }

        if (end < 0)
        {
            rest = [];
            return body.ToString();
        }

        var value = new System.Text.StringBuilder(body.Length);
        int i = 0;
        for (; i < body.Length && body[i] != '"'; i++)
        {
            if (body[i] == '\\' && i + 1 < body.Length)
            {
                i++;
            }

            value.Append(body[i]);
        }

        SkipToNextParameter(ref rest, i < body.Length ? body[(i + 1)..] : []);
        return value.ToString();
    }

    // Anything between a closing quote and the next ';' is not valid; it is ignored rather than rejected.
    private static void SkipToNextParameter(ref ReadOnlySpan<char> rest, ReadOnlySpan<char> afterQuote)
    {
        int next = afterQuote.IndexOf(';');
        rest = next < 0 ? [] : afterQuote[(next + 1)..];
    }
}
