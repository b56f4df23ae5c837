using System.Text;
using Moonbridge.Net.Http.Internal;

namespace Moonbridge.Net.Uploads;

/// <summary>
/// The application's answer to a completed upload: a status, header fields and content. It is sent to the client
/// whose request completed the upload and kept with the upload, so a client that lost it gets the same answer again
/// (the IETF draft's replay, <c>GET /{path}/{id}/result</c>). Framing fields (<c>Content-Length</c>,
/// <c>Transfer-Encoding</c>, <c>Connection</c>) are the server's.
/// </summary>
public sealed class UploadResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="statusCode">A final status, 200 to 599.</param>
    /// <param name="content">The content; must be empty for 204 and 304. Not copied: do not change it afterwards.</param>
    /// <param name="headers">Header fields, e.g. <c>Content-Type</c>; validated as response headers.</param>
    /// <exception cref="ArgumentException">A header is invalid or a framing header, or a 204/304 has content.</exception>
    public UploadResult(int statusCode, ReadOnlyMemory<byte> content = default, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (statusCode is 204 or 304 && !content.IsEmpty)
        {
            throw new ArgumentException($"A {statusCode} response has no content.", nameof(content));
        }

        StatusCode = statusCode;
        Content = content;
        Headers = HeaderValidation.ApplicationHeaders(headers, nameof(headers));
    }

    /// <summary>The final status code.</summary>
    public int StatusCode { get; }

    /// <summary>The header fields, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The content.</summary>
    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>A UTF-8 text result.</summary>
    /// <param name="text">The content.</param>
    /// <param name="statusCode">The status, 200 by default.</param>
    /// <param name="contentType">The media type, <c>text/plain; charset=UTF-8</c> by default.</param>
    /// <returns>The result.</returns>
    public static UploadResult Text(string text, int statusCode = 200, string contentType = "text/plain; charset=UTF-8")
    {
        ArgumentNullException.ThrowIfNull(text);
        return new UploadResult(statusCode, Encoding.UTF8.GetBytes(text), [new("Content-Type", contentType)]);
    }

    /// <summary>A JSON result (<c>application/json</c>).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="statusCode">The status, 200 by default.</param>
    /// <returns>The result.</returns>
    public static UploadResult Json(string json, int statusCode = 200) => Text(json, statusCode, "application/json");
}
