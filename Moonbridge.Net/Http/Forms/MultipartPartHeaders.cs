using System.Text;
using System.Text.Unicode;

namespace Moonbridge.Net.Http.Forms;

/// <summary>Turns the header section of one <c>multipart/form-data</c> part into <see cref="PostMetadata"/>.</summary>
internal static class MultipartPartHeaders
{
    /// <summary>Parses header lines (LF or CRLF terminated, without the empty line that ends them).</summary>
    public static PostMetadata Parse(ReadOnlySpan<byte> section)
    {
        var headers = new List<KeyValuePair<string, string>>();
        while (!section.IsEmpty)
        {
            int lf = section.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = lf < 0 ? section : section[..lf];
            section = lf < 0 ? [] : section[(lf + 1)..];
            headers.Add(ParseLine(line.EndsWith((byte)'\r') ? line[..^1] : line));
        }

        string? disposition = null;
        string? contentType = null;
        foreach ((string name, string value) in headers)
        {
            if (name.Equals("Content-Disposition", StringComparison.OrdinalIgnoreCase))
            {
                disposition ??= value;
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType ??= value;
            }
            else if (name.Equals("Content-Transfer-Encoding", StringComparison.OrdinalIgnoreCase) && !IsIdentityEncoding(value))
            {
                // RFC 7578 §4.7 deprecates the header; only the identity encodings can be passed through as is.
                throw new FormParseException(400, "Content-Transfer-Encoding not supported by multipart/form-data parser");
            }
        }

        return CreateMetadata(disposition, contentType, headers);
    }

    private static PostMetadata CreateMetadata(
        string? disposition, string? contentType, List<KeyValuePair<string, string>> headers)
    {
        if (disposition is null
            || !HeaderParameters.MainValue(disposition).Equals("form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormParseException(400, "Missing Content-Disposition form-data header in multipart/form-data part");
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        HeaderParameters.Parse(disposition, backslashEscapes: false, parameters);
        if (!parameters.TryGetValue("name", out string? fieldName))
        {
            throw new FormParseException(400, "Missing field name in multipart/form-data part");
        }

        string? fileName = parameters.TryGetValue("filename*", out string? extended) ? DecodeExtendedValue(extended) : null;
        fileName ??= parameters.GetValueOrDefault("filename");
        return new PostMetadata(fieldName, fileName, contentType, headers);
    }

    private static KeyValuePair<string, string> ParseLine(ReadOnlySpan<byte> line)
    {
        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> name = colon < 0 ? [] : line[..colon];

        // Leading whitespace would be an obsolete line folding (RFC 9112 §5.2), which part headers may not use.
        if (name.IsEmpty || name.ContainsAny((byte)' ', (byte)'\t'))
        {
            throw new FormParseException(400, "Invalid header in multipart/form-data part");
        }

        ReadOnlySpan<byte> value = line[(colon + 1)..].Trim(" \t"u8);
        return new(Encoding.Latin1.GetString(name), DecodeValue(value));
    }

    // Browsers send file names as raw UTF-8 (RFC 7578 §4.2); older clients send Latin-1, whose non-ASCII
    // text is rarely valid UTF-8, so invalid UTF-8 is read as Latin-1 rather than turned into U+FFFD.
    private static string DecodeValue(ReadOnlySpan<byte> value) =>
        Utf8.IsValid(value) ? Encoding.UTF8.GetString(value) : Encoding.Latin1.GetString(value);

    private static bool IsIdentityEncoding(string value) =>
        value.Equals("7bit", StringComparison.OrdinalIgnoreCase)
        || value.Equals("8bit", StringComparison.OrdinalIgnoreCase)
        || value.Equals("binary", StringComparison.OrdinalIgnoreCase);

    // RFC 5987 ext-value: charset'language'pct-encoded. Only UTF-8 is understood; otherwise the plain
    // filename parameter (if any) is used.
    private static string? DecodeExtendedValue(string value)
    {
        int first = value.IndexOf('\'', StringComparison.Ordinal);
        int second = first < 0 ? -1 : value.IndexOf('\'', first + 1);
        if (second < 0 || !value.AsSpan(0, first).Equals("UTF-8", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return PercentDecoder.Decode(value.AsSpan(second + 1), plusAsSpace: false);
    }
}
