namespace Moonbridge.Net.Http.Internal;

/// <summary>Reason phrases for status codes, and the checks a status string from a handler must pass.</summary>
internal static class StatusLine
{
    public static string ReasonPhrase(int code) => code switch
    {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    };

    /// <summary>Parses <c>"200 OK"</c>: three digits, a space, a reason of visible characters and spaces.</summary>
    public static int ParseCode(string status)
    {
        ArgumentNullException.ThrowIfNull(status);
        if (status.Length < 3 || !char.IsAsciiDigit(status[0]) || !char.IsAsciiDigit(status[1]) || !char.IsAsciiDigit(status[2])
            || status[0] is < '1' or > '5' || (status.Length > 3 && status[3] != ' '))
        {
            throw new ArgumentException($"'{status}' is not a status like \"200 OK\".", nameof(status));
        }

        foreach (char c in status.AsSpan(3))
        {
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF)
            {
                throw new ArgumentException("A status reason must not contain control characters.", nameof(status));
            }
        }

        return (status[0] - '0') * 100 + (status[1] - '0') * 10 + (status[2] - '0');
    }
}
