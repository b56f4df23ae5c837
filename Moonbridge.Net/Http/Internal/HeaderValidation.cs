namespace Moonbridge.Net.Http.Internal;

/// <summary>Response header names must be tokens and values free of CR, LF and NUL, so no handler can inject a header or a response.</summary>
internal static class HeaderValidation
{
    public static bool IsToken(ReadOnlySpan<char> name)
        => !name.IsEmpty && !name.ContainsAnyExcept(Parsing.HttpCharacters.TokenCharsUtf16);

    public static bool IsValidValue(ReadOnlySpan<char> value)
    {
        foreach (char c in value)
        {
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF)
            {
                return false;
            }
        }

        return true;
    }

    public static void ThrowIfInvalid(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        if (!IsToken(name))
        {
            throw new ArgumentException($"'{name}' is not a valid header name.", nameof(name));
        }

        if (!IsValidValue(value))
        {
            throw new ArgumentException($"The value of header '{name}' contains a control character (CR, LF and NUL are not allowed) or a character beyond Latin-1.", nameof(value));
        }
    }

    /// <summary>
    /// Header fields of a response an application hands over whole (an operation's result, an upload's final
    /// response): each valid, and none of the framing fields, which the server writes from the content.
    /// </summary>
    public static List<KeyValuePair<string, string>> ApplicationHeaders(IEnumerable<KeyValuePair<string, string>>? headers, string parameterName)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<string, string> header in headers ?? [])
        {
            ThrowIfInvalid(header.Key, header.Value);
            if (header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                || header.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{header.Key} is managed by the server.", parameterName);
            }

            list.Add(header);
        }

        return list;
    }
}
