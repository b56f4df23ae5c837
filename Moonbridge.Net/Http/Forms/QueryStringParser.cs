namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Parses a query string (or any <c>application/x-www-form-urlencoded</c> text) into <see cref="FormParameters"/>.
/// </summary>
/// <remarks>
/// Items are separated by <c>&amp;</c> only (the WHATWG URL standard; <c>;</c> is data). The name is everything
/// before the first <c>=</c>, the value everything after it, both decoded with
/// <see cref="HttpEncoding.DecodeUri"/> after splitting, so an encoded <c>%26</c> or <c>%3D</c> stays data.
/// Fixes against the original, whose pattern was <c>([^?=&amp;]*)=([^?=&amp;]*)</c>: an item without <c>=</c>
/// (<c>flag</c>) becomes a field with an empty value instead of being dropped, and <c>?</c> and further
/// <c>=</c> are ordinary characters (<c>d?=4</c> is the field <c>d?</c>, <c>a=b=c</c> has the value
/// <c>b=c</c>). Empty items (<c>a=1&amp;&amp;b=2</c>) are skipped.
/// </remarks>
internal static class QueryStringParser
{
    /// <summary>Adds every item of <paramref name="query"/> (with or without a leading <c>?</c>) to <paramref name="into"/>.</summary>
    public static void Parse(ReadOnlySpan<char> query, FormParameters into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (query.StartsWith('?'))
        {
            query = query[1..];
        }

        foreach (Range range in query.Split('&'))
        {
            ReadOnlySpan<char> item = query[range];
            if (item.IsEmpty)
            {
                continue;
            }

            int equals = item.IndexOf('=');
            if (equals < 0)
            {
                into.Add(Decode(item), string.Empty);
            }
            else
            {
                into.Add(Decode(item[..equals]), Decode(item[(equals + 1)..]));
            }
        }
    }

    private static string Decode(ReadOnlySpan<char> text) =>
        text.ContainsAny('%', '+') ? PercentDecoder.Decode(text, plusAsSpace: true) : text.ToString();
}
