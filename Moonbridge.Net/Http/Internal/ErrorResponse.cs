using System.Text;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The server's own error responses, in the original's plain-text format: the status line, static
/// headers, <c>Content-Type: text/plain</c>, <c>Connection: close</c>, and the body
/// <c>"&lt;status&gt;\n"</c> or <c>"&lt;status&gt;\n\n&lt;reason&gt;\n"</c>. Unlike the original, the body has a
/// Content-Length instead of chunked framing, which HTTP/1.0 clients could not read.
/// </summary>
internal static class ErrorResponse
{
    public const string ContentType = "text/plain; charset=UTF-8";

    /// <summary>The body of an error response: <c>"&lt;status&gt;\n"</c>, or with the reason after an empty line.</summary>
    public static string Body(int statusCode, string? reason)
    {
        string status = $"{statusCode} {StatusLine.ReasonPhrase(statusCode)}";
        return string.IsNullOrEmpty(reason) ? $"{status}\n" : $"{status}\n\n{reason}\n";
    }

    public static byte[] Format(int statusCode, string? reason, ReadOnlySpan<byte> staticHeaders)
    {
        string status = $"{statusCode} {StatusLine.ReasonPhrase(statusCode)}";
        byte[] bodyBytes = Encoding.UTF8.GetBytes(Body(statusCode, reason));
        var head = new StringBuilder()
            .Append("HTTP/1.1 ").Append(status).Append("\r\n");
        byte[] headStart = Encoding.ASCII.GetBytes(head.ToString());
        byte[] headEnd = Encoding.ASCII.GetBytes(
            $"Content-Type: {ContentType}\r\nContent-Length: {bodyBytes.Length}\r\nConnection: close\r\n\r\n");
        ReadOnlySpan<byte> date = DateHeader.Line;
        var response = new byte[headStart.Length + staticHeaders.Length + date.Length + headEnd.Length + bodyBytes.Length];
        var span = response.AsSpan();
        headStart.CopyTo(span);
        span = span[headStart.Length..];
        staticHeaders.CopyTo(span);
        span = span[staticHeaders.Length..];
        date.CopyTo(span);
        span = span[date.Length..];
        headEnd.CopyTo(span);
        bodyBytes.CopyTo(span[headEnd.Length..]);
        return response;
    }
}
