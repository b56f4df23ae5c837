using System.Globalization;
using System.Text;
using Moonbridge.Net.Http.Internal;

namespace Moonbridge.Net.Esi.Internal;

/// <summary>
/// Reads the header section a script puts at the start of its first delivery (mod_esi's
/// <c>httpd_esi:handle_headers</c>), with its defects fixed: a bare <c>status: 404</c> gets its standard reason
/// instead of falling back to 200, and a malformed status or field is reported instead of crashing the worker.
/// </summary>
internal static class EsiHeaderParser
{
    /// <summary>The blank line that ends a header section; without it in the first chunk there are no headers.</summary>
    public static ReadOnlySpan<byte> End => "\r\n\r\n"u8;

    /// <summary>Parses the header section <paramref name="section"/> (the bytes before the blank line).</summary>
    /// <returns>Null and an explanation in <paramref name="error"/> when the section is invalid.</returns>
    public static EsiResponseHead? Parse(ReadOnlySpan<byte> section, out string? error)
    {
        string text = Encoding.Latin1.GetString(section);
        int statusCode = 200;
        string? status = null;
        string? redirect = null;
        bool hasCacheControl = false;
        bool hasAllow = false;
        bool droppedFraming = false;
        long? contentLength = null;
        var headers = new List<KeyValuePair<string, string>>();
        foreach (Range range in text.AsSpan().Split("\r\n"))
        {
            // The mod_esi manual's own example puts a space before a field name, so lines are trimmed.
            ReadOnlySpan<char> line = text.AsSpan(range).Trim(" \t");
            if (line.IsEmpty)
            {
                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                error = $"'{Shorten(line)}' is not a header field.";
                return null;
            }

            string name = line[..colon].TrimEnd(" \t").ToString();
            string value = line[(colon + 1)..].Trim(" \t").ToString();
            if (!HeaderValidation.IsToken(name))
            {
                error = $"'{Shorten(name)}' is not a valid header name.";
                return null;
            }

            if (!HeaderValidation.IsValidValue(value))
            {
                error = $"The value of '{name}' contains a control character or a character beyond Latin-1.";
                return null;
            }

            if (name.Equals("status", StringComparison.OrdinalIgnoreCase))
            {
                if (!TryParseStatus(value, out statusCode, out status))
                {
                    error = $"'{Shorten(value)}' is not a status: three digits from 200 to 599, optionally a reason phrase.";
                    return null;
                }
            }
            else if (name.Equals("location", StringComparison.OrdinalIgnoreCase))
            {
                if (IsAbsolutePath(value))
                {
                    // A local path: mod_esi serves it in place of the script's output (a CGI "local redirect").
                    redirect = value;
                    break;
                }

                // A full URI (or a relative reference the client resolves) is a client redirect, as in mod_esi;
                // a later status field still overrides the 302.
                headers.Add(new(name, value));
                statusCode = 302;
                status = "302 Found";
            }
            else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
            {
                droppedFraming = true;
            }
            else
            {
                if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
                {
                    if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long length)
                        || (contentLength is { } earlier && earlier != length))
                    {
                        error = $"'{Shorten(value)}' is not a valid Content-Length.";
                        return null;
                    }

                    contentLength = length;
                }
                else if (name.Equals("cache-control", StringComparison.OrdinalIgnoreCase))
                {
                    hasCacheControl = true;
                }
                else if (name.Equals("allow", StringComparison.OrdinalIgnoreCase))
                {
                    hasAllow = true;
                }

                headers.Add(new(name, value));
            }
        }

        // The HTTP module frames these itself (205 with Content-Length: 0), so a length of the script's would conflict.
        if (contentLength is not null && statusCode is 204 or 205 or 304)
        {
            error = $"A {statusCode} response cannot have a Content-Length.";
            return null;
        }

        // RFC 9110 §15.5.6: a 405 must say which methods the resource does allow; only the script knows them.
        if (statusCode == 405 && !hasAllow && redirect is null)
        {
            error = "A 405 response must list the methods it allows in an Allow field (RFC 9110 §15.5.6).";
            return null;
        }

        error = null;
        return new EsiResponseHead
        {
            StatusCode = statusCode,
            Status = status ?? $"{statusCode.ToString(CultureInfo.InvariantCulture)} {StatusLine.ReasonPhrase(statusCode)}",
            Headers = headers,
            InternalRedirect = redirect,
            HasCacheControl = hasCacheControl,
            DroppedFraming = droppedFraming,
        };
    }

    /// <summary>
    /// <c>201</c>, <c>201 Created</c>: three digits of a final status, then optionally a space and a reason.
    /// 1xx is refused: a script's answer is the final response.
    /// </summary>
    internal static bool TryParseStatus(string value, out int code, out string? status)
    {
        code = 0;
        status = null;
        ReadOnlySpan<char> digits = value.AsSpan();
        int space = digits.IndexOfAny(' ', '\t');
        ReadOnlySpan<char> reason = space < 0 ? [] : digits[(space + 1)..].Trim(" \t");
        if (space >= 0)
        {
            digits = digits[..space];
        }

        if (digits.Length != 3 || !char.IsAsciiDigit(digits[0]) || !char.IsAsciiDigit(digits[1]) || !char.IsAsciiDigit(digits[2]))
        {
            return false;
        }

        code = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (code is < 200 or > 599)
        {
            return false;
        }

        status = reason.IsEmpty
            ? $"{digits} {StatusLine.ReasonPhrase(code)}"
            : $"{digits} {reason}";
        return true;
    }

    private static bool IsAbsolutePath(string location)
        => location.Length > 0 && location[0] == '/' && !location.StartsWith("//", StringComparison.Ordinal);

    private static string Shorten(ReadOnlySpan<char> text) => text.Length <= 64 ? text.ToString() : string.Concat(text[..64], "...");
}
