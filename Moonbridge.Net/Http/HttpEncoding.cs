using System.Buffers;
using System.Text;
using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Http;

/// <summary>
/// The text helpers of the original HTTP module (<c>encode_html</c>, <c>encode_uri</c>, <c>decode_uri</c>).
/// </summary>
/// <remarks>
/// Differences from the original: <see cref="EncodeHtml"/> also escapes <c>'</c> (so the result is safe in
/// single-quoted attributes), and <see cref="EncodeUri"/> writes uppercase hex digits as RFC 3986 §2.1
/// recommends (the original wrote lowercase; both decode the same).
/// </remarks>
public static class HttpEncoding
{
    // The characters RFC 3986 §2.3 calls unreserved: the only ones EncodeUri leaves alone.
    private static readonly SearchValues<char> s_unreservedChars =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.~-");

    private static readonly SearchValues<byte> s_unreservedBytes =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.~-"u8);

    private static readonly SearchValues<char> s_htmlSpecial = SearchValues.Create("&<>\"'");

    /// <summary>
    /// Escapes text for HTML content and quoted attribute values: <c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>,
    /// <c>&quot;</c> and <c>'</c> (as <c>&amp;#39;</c>).
    /// </summary>
    /// <param name="text">The text to escape.</param>
    /// <returns>The escaped text; the same instance when nothing needed escaping.</returns>
    public static string EncodeHtml(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int next = text.AsSpan().IndexOfAny(s_htmlSpecial);
        if (next < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        ReadOnlySpan<char> rest = text;
        while (next >= 0)
        {
            builder.Append(rest[..next]);
            builder.Append(rest[next] switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                _ => "&#39;",
            });
            rest = rest[(next + 1)..];
            next = rest.IndexOfAny(s_htmlSpecial);
        }

        return builder.Append(rest).ToString();
    }

    /// <summary>
    /// Percent-encodes text for use in a URI component: the text is taken as UTF-8 and every byte outside
    /// <c>[0-9A-Za-z_.~-]</c> becomes <c>%XX</c> with uppercase hex digits (RFC 3986 §2.1; the original
    /// wrote lowercase). A lone surrogate is encoded as U+FFFD.
    /// </summary>
    /// <param name="text">The text to encode.</param>
    /// <returns>The encoded text; the same instance when nothing needed encoding.</returns>
    public static string EncodeUri(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.AsSpan().ContainsAnyExcept(s_unreservedChars))
        {
            return text;
        }

        int byteCount = Encoding.UTF8.GetByteCount(text);
        byte[]? rented = null;
        Span<byte> utf8 = byteCount <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            utf8 = utf8[..Encoding.UTF8.GetBytes(text, utf8)];
            int length = utf8.Length;
            foreach (byte b in utf8)
            {
                if (!s_unreservedBytes.Contains(b))
                {
                    length += 2;
                }
            }

            return WriteEncoded(utf8, length);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Decodes a form or query component: <c>+</c> becomes a space, then <c>%XX</c> sequences are decoded as
    /// UTF-8 bytes. A <c>%</c> not followed by two hex digits is kept literally; byte sequences that are not
    /// valid UTF-8 become U+FFFD.
    /// </summary>
    /// <param name="text">The encoded text.</param>
    /// <returns>The decoded text; the same instance when there was nothing to decode.</returns>
    public static string DecodeUri(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().ContainsAny('%', '+') ? PercentDecoder.Decode(text, plusAsSpace: true) : text;
    }

    /// <summary>
    /// Like <see cref="DecodeUri"/> but leaves <c>+</c> alone, as RFC 3986 components (paths, RFC 5987
    /// parameter values) require.
    /// </summary>
    /// <param name="text">The encoded text.</param>
    /// <returns>The decoded text; the same instance when there was nothing to decode.</returns>
    public static string DecodeUriComponent(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains('%', StringComparison.Ordinal) ? PercentDecoder.Decode(text, plusAsSpace: false) : text;
    }

    private static string WriteEncoded(ReadOnlySpan<byte> utf8, int length)
    {
        // string.Create cannot capture a span, so the bytes are written through a small char buffer instead.
        char[]? rented = null;
        Span<char> chars = length <= 512 ? stackalloc char[512] : (rented = ArrayPool<char>.Shared.Rent(length));
        int at = 0;
        foreach (byte b in utf8)
        {
            if (s_unreservedBytes.Contains(b))
            {
                chars[at++] = (char)b;
            }
            else
            {
                chars[at++] = '%';
                chars[at++] = "0123456789ABCDEF"[b >> 4];
                chars[at++] = "0123456789ABCDEF"[b & 0xF];
            }
        }

        string result = new(chars[..at]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        return result;
    }
}
