namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// A request body (or its <c>Content-Type</c>) that cannot be parsed as a form: <see cref="StatusCode"/> is the
/// response the server should give, 400 (malformed) or 413 (a field exceeds a size limit), and
/// <see cref="Exception.Message"/> the short reason for the plain-text error body.
/// </summary>
public sealed class FormParseException : Exception
{
    /// <summary>Creates the exception with a status code and a reason.</summary>
    /// <param name="statusCode">400 or 413.</param>
    /// <param name="message">The reason, e.g. "Premature end of multipart/form-data request body".</param>
    public FormParseException(int statusCode, string message)
        : base(message)
    {
        StatusCode = statusCode;
    }

    /// <summary>Creates a 400 exception with a generic reason.</summary>
    public FormParseException()
        : this(400, "Malformed form data")
    {
    }

    /// <summary>Creates a 400 exception with a reason.</summary>
    /// <param name="message">The reason.</param>
    public FormParseException(string message)
        : this(400, message)
    {
    }

    /// <summary>Creates a 400 exception with a reason and the error that caused it.</summary>
    /// <param name="message">The reason.</param>
    /// <param name="innerException">The cause.</param>
    public FormParseException(string message, Exception innerException)
        : base(message, innerException)
    {
        StatusCode = 400;
    }

    /// <summary>The HTTP status to answer with: 400 or 413.</summary>
    public int StatusCode { get; }
}
