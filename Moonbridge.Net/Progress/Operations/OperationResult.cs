using System.Text;
using Moonbridge.Net.Http.Internal;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>
/// The final response of an operation: a status, header fields and body bytes. It is sent as the
/// response when the operation ends while its request is still waiting, and kept in the status document
/// otherwise. Framing headers (<c>Content-Length</c>, <c>Transfer-Encoding</c>, <c>Connection</c>) are the server's.
/// </summary>
public sealed class OperationResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="statusCode">A final status, 200 to 599.</param>
    /// <param name="body">The body bytes; must be empty for 204 and 304. Not copied: do not change them afterwards.</param>
    /// <param name="headers">Header fields, e.g. <c>Content-Type</c>; validated as response headers.</param>
    /// <exception cref="ArgumentException">A header is invalid or a framing header, or a 204/304 has a body.</exception>
    public OperationResult(int statusCode, ReadOnlyMemory<byte> body = default, IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        if (statusCode is 204 or 304 && !body.IsEmpty)
        {
            throw new ArgumentException($"A {statusCode} response has no body.", nameof(body));
        }

        StatusCode = statusCode;
        Body = body;
        Headers = HeaderValidation.ApplicationHeaders(headers, nameof(headers));
    }

    /// <summary>The final status code.</summary>
    public int StatusCode { get; }

    /// <summary>The header fields, in order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>The body bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>A UTF-8 text result.</summary>
    /// <param name="text">The body text.</param>
    /// <param name="statusCode">The status, 200 by default.</param>
    /// <param name="contentType">The media type, <c>text/plain; charset=UTF-8</c> by default.</param>
    /// <returns>The result.</returns>
    public static OperationResult Text(string text, int statusCode = 200, string contentType = "text/plain; charset=UTF-8")
    {
        ArgumentNullException.ThrowIfNull(text);
        return new OperationResult(statusCode, Encoding.UTF8.GetBytes(text), [new("Content-Type", contentType)]);
    }

    /// <summary>A JSON result (<c>application/json</c>).</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="statusCode">The status, 200 by default.</param>
    /// <returns>The result.</returns>
    public static OperationResult Json(string json, int statusCode = 200) => Text(json, statusCode, "application/json");
}
