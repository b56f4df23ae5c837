using System.Globalization;
using System.Text;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// Runs just before an HTTP request's connection is handed off (Apache <c>mod_proxy_fdpass</c>'s
/// "flusher"). It may write to <see cref="HttpRequest.Socket"/> directly, e.g. a response head, and
/// returns whether a response head went out (the receiver then writes only the body).
/// </summary>
/// <param name="request">The request being handed off; fresh (no status sent, no body read).</param>
/// <param name="cancellationToken">Stops the flusher.</param>
/// <returns>True when a response head was sent (<see cref="HandOffInfo.ResponseStarted"/>).</returns>
public delegate ValueTask<bool> HandOffFlusher(HttpRequest request, CancellationToken cancellationToken);

/// <summary>The built-in flushers.</summary>
public static class HandOffFlushers
{
    /// <summary>
    /// The receiver takes the whole exchange: nothing is sent, and the receiver's HTTP handler parses
    /// the request (which travels with the connection) and may keep the connection alive afterwards.
    /// </summary>
    public static HandOffFlusher None { get; } = static (_, _) => ValueTask.FromResult(false);

    /// <summary>
    /// The default, as Apache's <c>flush</c> provider: sends <c>200 OK</c> with <c>Connection: close</c>
    /// and no length, so the receiver writes just the body and ends it by closing the connection.
    /// </summary>
    public static HandOffFlusher Headers() => Headers(200);

    /// <summary>
    /// Like <see cref="Headers()"/> with another status and extra header fields (e.g. <c>Content-Type</c>).
    /// Keep-alive is always disabled: the body ends when the receiver closes the connection.
    /// </summary>
    /// <param name="statusCode">The status code (200-599).</param>
    /// <param name="headers">Extra header fields; <c>Connection</c>, <c>Content-Length</c> and <c>Transfer-Encoding</c> are not allowed.</param>
    public static HandOffFlusher Headers(int statusCode, params IEnumerable<KeyValuePair<string, string>> headers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 200);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        ArgumentNullException.ThrowIfNull(headers);
        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {statusCode} {ReasonPhrase(statusCode)}\r\n");
        foreach ((string name, string value) in headers)
        {
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"The '{name}' header is set by the flusher: the body ends when the connection closes.", nameof(headers));
            }

            if (name.Length == 0 || name.AsSpan().IndexOfAny(":\r\n ") >= 0 || value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException($"Invalid header field '{name}'.", nameof(headers));
            }

            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        head.Append("Connection: close\r\n\r\n");
        byte[] bytes = Encoding.Latin1.GetBytes(head.ToString());
        return async (request, cancellationToken) =>
        {
            IO.IoWriteResult result = await request.Socket.FlushAsync(bytes, cancellationToken).ConfigureAwait(false);
            if (result.IsError)
            {
                throw new IOException($"Could not send the response head before the hand-off: {result.Error}.");
            }

            return true;
        };
    }

    private static string ReasonPhrase(int statusCode) => statusCode switch
    {
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };
}
