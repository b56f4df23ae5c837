namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Reads <c>Cookie</c> request headers (RFC 6265 §4.2.1 and §5.4): <c>name=value</c> pairs separated by
/// <c>;</c> and optional whitespace.
/// </summary>
/// <remarks>
/// Fixes against the original, which matched <c>([^=; ]*)=([^=; ]*)</c> and <c>decode_uri</c>d both sides:
/// the name ends at the first <c>=</c> and the value is the whole rest, so <c>c=q=r</c> is <c>c</c> =
/// <c>q=r</c>; nothing is decoded, neither <c>+</c> nor <c>%XX</c>, because cookie values are opaque
/// (RFC 6265 defines no encoding; an application that percent-encodes its cookies can call
/// <see cref="HttpEncoding.DecodeUriComponent"/>). A value in double quotes loses the quotes (RFC 6265 §4.1.1
/// cookie-value). When a name repeats, the first value wins (the original let the last win): browsers list
/// the cookie with the longest path first (RFC 6265 §5.4 step 2), so the first is the most specific one.
/// Pairs without <c>=</c> or with an empty name are ignored.
/// </remarks>
internal static class CookieParser
{
    /// <summary>Adds the cookies of every header value to <paramref name="into"/>, keeping values already there.</summary>
    public static void Parse(IEnumerable<string> cookieHeaderValues, IDictionary<string, string> into)
    {
        ArgumentNullException.ThrowIfNull(cookieHeaderValues);
        ArgumentNullException.ThrowIfNull(into);
        foreach (string header in cookieHeaderValues)
        {
            Parse(header, into);
        }
    }

    /// <summary>Adds the cookies of one header value to <paramref name="into"/>.</summary>
    public static void Parse(ReadOnlySpan<char> header, IDictionary<string, string> into)
    {
        foreach (Range range in header.Split(';'))
        {
            ReadOnlySpan<char> pair = header[range];
            int equals = pair.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }

            ReadOnlySpan<char> name = pair[..equals].Trim(" \t");
            if (name.IsEmpty)
            {
                continue;
            }

            ReadOnlySpan<char> value = pair[(equals + 1)..].Trim(" \t");
            if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
            {
                value = value[1..^1];
            }

            into.TryAdd(name.ToString(), value.ToString());
        }
    }
}
