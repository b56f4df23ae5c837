namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// The one internal way to reject a request with a status: the <see cref="RequestRejectionReason"/>, its status
/// (400, 408, 413, 414, 417, 431, 501, 505) and the reason text of the plain-text error body, both from
/// <see cref="HttpParseErrors"/>. The connection answers it and closes. Handlers see body and form
/// rejections as the public <see cref="HttpStatusException"/> (<see cref="HttpParseErrors.ForHandler"/>).
/// </summary>
internal sealed class BadHttpRequestException : Exception
{
    public BadHttpRequestException(RequestRejectionReason kind, string? detail = null)
        : this(kind, HttpParseErrors.StatusOf(kind), detail is null ? HttpParseErrors.TextOf(kind) : $"{HttpParseErrors.TextOf(kind)} ({detail})")
    {
    }

    private BadHttpRequestException(RequestRejectionReason kind, int statusCode, string reason)
        : base($"{statusCode}: {reason}")
    {
        Kind = kind;
        StatusCode = statusCode;
        Reason = reason;
    }

    public BadHttpRequestException()
        : this(RequestRejectionReason.InvalidRequestLine)
    {
    }

    public BadHttpRequestException(string message)
        : base(message)
    {
        StatusCode = 400;
        Reason = message;
    }

    public BadHttpRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
        Reason = message;
    }

    public RequestRejectionReason Kind { get; }

    public int StatusCode { get; }

    /// <summary>The reason text for the error body.</summary>
    public string Reason { get; }
}
