using System.Buffers;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// <c>uri-host [ ":" port ]</c> (RFC 3986 §3.2.2–3.2.3), the grammar of the Host field (RFC 9110 §7.2)
/// and of an absolute-form authority without userinfo. Checking it keeps garbage that later code might
/// echo or route by out of <see cref="HttpRequestHead.Host"/>.
/// </summary>
internal static class HostSyntax
{
    /// <summary>unreserved and sub-delims; pct-encoded is checked separately.</summary>
    private static readonly SearchValues<char> _regNameChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=");

    private static readonly SearchValues<char> _hexDigits = SearchValues.Create("0123456789ABCDEFabcdef");

    /// <summary>IPvFuture's tail: unreserved, sub-delims and ":".</summary>
    private static readonly SearchValues<char> _ipFutureChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:");

    /// <summary>
    /// Whether <paramref name="value"/> is a host with an optional port. An empty value is valid in a Host
    /// field (RFC 9112 §3.2: sent when the target URI has no authority), not in an http(s) URI (RFC 9110
    /// §4.2.1); an empty host before a port is never accepted.
    /// </summary>
    public static bool IsValid(ReadOnlySpan<char> value, bool allowEmpty)
    {
        if (value.IsEmpty)
        {
            return allowEmpty;
        }

        ReadOnlySpan<char> host;
        ReadOnlySpan<char> portPart;
        if (value[0] == '[')
        {
            int close = value.IndexOf(']');
            if (close < 0 || !IsValidIpLiteral(value[1..close]))
            {
                return false;
            }

            host = value[..(close + 1)];
            portPart = value[(close + 1)..];
        }
        else
        {
            // A reg-name has no ':', so the first one starts the port; an IPv4address is a reg-name too.
            int colon = value.IndexOf(':');
            host = colon < 0 ? value : value[..colon];
            portPart = colon < 0 ? default : value[colon..];
            if (!IsValidRegName(host))
            {
                return false;
            }
        }

        if (host.IsEmpty)
        {
            return false;
        }

        // port = *DIGIT: "host:" is allowed by the grammar.
        return portPart.IsEmpty || (portPart[0] == ':' && !portPart[1..].ContainsAnyExceptInRange('0', '9'));
    }

    private static bool IsValidRegName(ReadOnlySpan<char> name)
    {
        int index = 0;
        while (index < name.Length)
        {
            int stop = name[index..].IndexOfAnyExcept(_regNameChars);
            if (stop < 0)
            {
                return true;
            }

            index += stop;
            if (name[index] != '%' || index + 2 >= name.Length
                || !char.IsAsciiHexDigit(name[index + 1]) || !char.IsAsciiHexDigit(name[index + 2]))
            {
                return false;
            }

            index += 3;
        }

        return true;
    }

    private static bool IsValidIpLiteral(ReadOnlySpan<char> literal)
    {
        if (!literal.IsEmpty && (literal[0] | 0x20) == 'v')
        {
            // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
            int dot = literal.IndexOf('.');
            return dot > 1 && !literal[1..dot].ContainsAnyExcept(_hexDigits)
                && dot + 1 < literal.Length && !literal[(dot + 1)..].ContainsAnyExcept(_ipFutureChars);
        }

        return Ipv6Syntax.IsValid(literal);
    }
}
