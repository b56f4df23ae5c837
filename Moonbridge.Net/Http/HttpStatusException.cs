namespace Moonbridge.Net.Http;

/// <summary>
/// Thrown by a handler (or by the request object, e.g. 415 for form parsing of an unknown content type)
/// to answer with an error status. While nothing of the response has gone out, the server answers with a
/// plain-text response in the original's format and keeps the connection as after any response (an unread
/// body is drained), unless reading the body had failed, which leaves where the next request begins in doubt
/// and closes it; once part of the response went out, the connection is aborted.
/// </summary>
public sealed class HttpStatusException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="statusCode">The status code, 400 to 599.</param>
    /// <param name="reason">A short explanation for the response body, or null.</param>
    public HttpStatusException(int statusCode, string? reason = null)
        : base(reason is null ? $"HTTP {statusCode}" : $"HTTP {statusCode}: {reason}")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>Creates a 500 exception.</summary>
    public HttpStatusException()
        : this(500)
    {
    }

    /// <summary>Creates a 400 exception with a reason.</summary>
    /// <param name="message">The reason.</param>
    public HttpStatusException(string message)
        : this(400, message)
    {
    }

    /// <summary>Creates a 400 exception with a reason and a cause.</summary>
    /// <param name="message">The reason.</param>
    /// <param name="innerException">The cause.</param>
    public HttpStatusException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
        Reason = message;
    }

    /// <summary>The status code to answer with.</summary>
    public int StatusCode { get; }

    /// <summary>The explanation for the response body, or null.</summary>
    public string? Reason { get; }
}
