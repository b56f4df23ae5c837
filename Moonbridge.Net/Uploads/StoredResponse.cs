using System.Globalization;
using System.Text;

namespace Moonbridge.Net.Uploads;

/// <summary>
/// The application's response to a completed upload, kept with the upload so a client that lost it gets it again
/// (the IETF draft's replay, the http-progress drafts' <c>Response-Message-Location</c>). Stored as an HTTP/1.1
/// response message (<c>message/http</c>): status line, header fields, an empty line, the content.
/// </summary>
internal sealed record StoredResponse(int StatusCode, string ReasonPhrase, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Content)
{
    public const string MediaType = "message/http";

    /// <summary>The message as stored: <c>Content-Length</c> is written from the content, never taken from the headers.</summary>
    public byte[] ToMessage()
    {
        if (StatusCode is < 200 or > 599)
        {
            throw new ArgumentOutOfRangeException(nameof(StatusCode), StatusCode, "A final response has a status from 200 to 599.");
        }

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {StatusCode} {ReasonPhrase}\r\n");
        foreach ((string name, string value) in Headers)
        {
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.AsSpan().IndexOfAny("\r\n: ") >= 0 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException($"The header field '{name}' cannot be stored: a name or value with CR, LF (or, in a name, ':' or a space).", nameof(Headers));
            }

            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {Content.Length}\r\n\r\n");
        byte[] headBytes = Encoding.Latin1.GetBytes(head.ToString());
        return [.. headBytes, .. Content];
    }

    /// <summary>Reads a stored message back; false for bytes this type did not write.</summary>
    public static bool TryParse(ReadOnlySpan<byte> message, out StoredResponse response)
    {
        response = null!;
        int end = message.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return false;
        }

        string[] lines = Encoding.Latin1.GetString(message[..end]).Split("\r\n");
        string[] status = lines[0].Split(' ', 3);
        if (status.Length < 2 || status[0] != "HTTP/1.1" || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out int code))
        {
            return false;
        }

        var headers = new List<KeyValuePair<string, string>>(lines.Length - 1);
        long length = -1;
        foreach (string line in lines.AsSpan(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                return false;
            }

            string name = line[..colon];
            string value = line[(colon + 1)..].Trim(' ');
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out length))
                {
                    return false;
                }

                continue;
            }

            headers.Add(new(name, value));
        }

        ReadOnlySpan<byte> content = message[(end + 4)..];
        if (length != content.Length)
        {
            return false;
        }

        response = new StoredResponse(code, status.Length > 2 ? status[2] : "", headers, content.ToArray());
        return true;
    }
}
