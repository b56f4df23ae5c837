using System.Diagnostics.CodeAnalysis;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// The statuses and reasons the parsers reject with. Throwing lives here, out of the parsing loops, so
/// those stay small enough to inline and the reasons stay consistent.
/// </summary>
internal static class HttpParseErrors
{
    public const string InvalidRequestLine = "Invalid request line";
    public const string InvalidHeaderLine = "Invalid header line";
    public const string BareLineFeed = "Line ending without carriage return";
    public const string BareCarriageReturn = "Carriage return without line feed";
    public const string RequestLineTooLong = "Request line too long";
    public const string HeadTooLarge = "Request header fields too large";
    public const string TooManyHeaders = "Too many header fields";
    public const string VersionNotSupported = "HTTP version not supported";
    public const string MethodNotImplemented = "Method not implemented";
    public const string InvalidTarget = "Invalid request target";
    public const string InvalidPercentEncoding = "Invalid percent-encoding in request target";
    public const string InvalidHost = "No valid host header";
    public const string InvalidContentLength = "Content-Length header(s) invalid";
    public const string AnnouncedBodyTooBig = "Announced request body size is too big";
    public const string UnexpectedTransferEncoding = "Unexpected Transfer-Encoding";
    public const string UnsupportedTransferEncoding = "Unsupported Transfer-Encoding";
    public const string UnexpectedExpect = "Unexpected Expect header";
    public const string InvalidChunk = "Encoding error while reading chunk of request body";
    public const string BodyTooLarge = "Request body size limit exceeded";
    public const string TrailerTooLarge = "Trailer section too large";

    [DoesNotReturn]
    public static void Throw(int statusCode, string reason) => throw new HttpParseException(statusCode, reason);

    /// <summary>413 with <paramref name="reason"/> and the limit that was exceeded, so a client can tell what to send instead.</summary>
    [DoesNotReturn]
    public static void TooLarge(string reason, long limit)
        => throw new HttpParseException(413, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{reason} (limit {limit} bytes)"));

    [DoesNotReturn]
    public static void BadRequest(string reason) => throw new HttpParseException(400, reason);
}
