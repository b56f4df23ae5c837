namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// A request the server rejects: the status to answer with (400, 413, 414, 417, 431, 501, 505) and a
/// short reason that goes into the plain-text error body. The connection is closed afterwards.
/// </summary>
internal sealed class HttpParseException : Exception
{
    public HttpParseException(int statusCode, string reason)
        : base($"{statusCode}: {reason}")
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    public HttpParseException()
        : this(400, "Bad request")
    {
    }

    public HttpParseException(string message)
        : this(400, message)
    {
    }

    public HttpParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
        Reason = message;
    }

    public int StatusCode { get; }

    public string Reason { get; }
}
