using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// The one table of rejections: each <see cref="RequestRejectionReason"/> with its status and reason text. Throwing
/// lives here, out of the parsing loops, so those stay small enough to inline and the reasons stay consistent.
/// </summary>
internal static class HttpParseErrors
{
    public const RequestRejectionReason InvalidRequestLine = RequestRejectionReason.InvalidRequestLine;
    public const RequestRejectionReason InvalidHeaderLine = RequestRejectionReason.InvalidHeaderLine;
    public const RequestRejectionReason BareLineFeed = RequestRejectionReason.BareLineFeed;
    public const RequestRejectionReason BareCarriageReturn = RequestRejectionReason.BareCarriageReturn;
    public const RequestRejectionReason RequestLineTooLong = RequestRejectionReason.RequestLineTooLong;
    public const RequestRejectionReason HeadTooLarge = RequestRejectionReason.HeadTooLarge;
    public const RequestRejectionReason TooManyHeaders = RequestRejectionReason.TooManyHeaders;
    public const RequestRejectionReason VersionNotSupported = RequestRejectionReason.VersionNotSupported;
    public const RequestRejectionReason MethodNotImplemented = RequestRejectionReason.MethodNotImplemented;
    public const RequestRejectionReason InvalidTarget = RequestRejectionReason.InvalidTarget;
    public const RequestRejectionReason InvalidPercentEncoding = RequestRejectionReason.InvalidPercentEncoding;
    public const RequestRejectionReason InvalidHost = RequestRejectionReason.InvalidHost;
    public const RequestRejectionReason InvalidContentLength = RequestRejectionReason.InvalidContentLength;
    public const RequestRejectionReason AnnouncedBodyTooBig = RequestRejectionReason.AnnouncedBodyTooBig;
    public const RequestRejectionReason UnexpectedTransferEncoding = RequestRejectionReason.UnexpectedTransferEncoding;
    public const RequestRejectionReason UnsupportedTransferEncoding = RequestRejectionReason.UnsupportedTransferEncoding;
    public const RequestRejectionReason UnexpectedExpect = RequestRejectionReason.UnexpectedExpect;
    public const RequestRejectionReason InvalidChunk = RequestRejectionReason.InvalidChunk;
    public const RequestRejectionReason BodyTooLarge = RequestRejectionReason.BodyTooLarge;
    public const RequestRejectionReason TrailerTooLarge = RequestRejectionReason.TrailerTooLarge;

    public static int StatusOf(RequestRejectionReason reason) => reason switch
    {
        RequestRejectionReason.RequestLineTooLong => 414,
        RequestRejectionReason.HeadTooLarge or RequestRejectionReason.TooManyHeaders or RequestRejectionReason.TrailerTooLarge => 431,
        RequestRejectionReason.VersionNotSupported => 505,
        RequestRejectionReason.MethodNotImplemented or RequestRejectionReason.UnsupportedTransferEncoding => 501,
        RequestRejectionReason.AnnouncedBodyTooBig or RequestRejectionReason.BodyTooLarge => 413,
        RequestRejectionReason.UnexpectedExpect => 417,
        RequestRejectionReason.HeadTimeout or RequestRejectionReason.BodyTimeout or RequestRejectionReason.BodyDataRateTooLow => 408,
        RequestRejectionReason.UnsupportedContentType => 415,
        RequestRejectionReason.NoStatus or RequestRejectionReason.HandlerFailed => 500,
        _ => 400,
    };

    public static string TextOf(RequestRejectionReason reason) => reason switch
    {
        RequestRejectionReason.InvalidRequestLine => "Invalid request line",
        RequestRejectionReason.InvalidHeaderLine => "Invalid header line",
        RequestRejectionReason.BareLineFeed => "Line ending without carriage return",
        RequestRejectionReason.BareCarriageReturn => "Carriage return without line feed",
        RequestRejectionReason.RequestLineTooLong => "Request line too long",
        RequestRejectionReason.HeadTooLarge => "Request header fields too large",
        RequestRejectionReason.TooManyHeaders => "Too many header fields",
        RequestRejectionReason.VersionNotSupported => "HTTP version not supported",
        RequestRejectionReason.MethodNotImplemented => "Method not implemented",
        RequestRejectionReason.InvalidTarget => "Invalid request target",
        RequestRejectionReason.InvalidPercentEncoding => "Invalid percent-encoding in request target",
        RequestRejectionReason.InvalidHost => "No valid host header",
        RequestRejectionReason.InvalidContentLength => "Content-Length header(s) invalid",
        RequestRejectionReason.AnnouncedBodyTooBig => "Announced request body size is too big",
        RequestRejectionReason.UnexpectedTransferEncoding => "Unexpected Transfer-Encoding",
        RequestRejectionReason.UnsupportedTransferEncoding => "Unsupported Transfer-Encoding",
        RequestRejectionReason.UnexpectedExpect => "Unexpected Expect header",
        RequestRejectionReason.InvalidChunk => "Encoding error while reading chunk of request body",
        RequestRejectionReason.BodyTooLarge => "Request body size limit exceeded",
        RequestRejectionReason.TrailerTooLarge => "Trailer section too large",
        RequestRejectionReason.HeadTimeout => "Timeout while receiving headers",
        RequestRejectionReason.BodyTimeout => "Timeout while waiting for request body",
        RequestRejectionReason.BodyDataRateTooLow => "Request body data rate too low",
        RequestRejectionReason.UnexpectedEndOfBody => "Unexpected EOF while reading request body",
        RequestRejectionReason.AmbiguousContentType => "Ambiguous Content-Type header",
        RequestRejectionReason.UnsupportedContentType => "Unknown Content-Type of request body",
        RequestRejectionReason.NoStatus => "The request handler did not send a status.",
        RequestRejectionReason.HandlerFailed => "The request handler failed.",
        _ => "Bad request",
    };

    /// <summary>The public face of a rejection that a handler's own call runs into (a body read, a form): it may catch it or let the server answer it.</summary>
    public static HttpStatusException ForHandler(RequestRejectionReason reason) => new(StatusOf(reason), TextOf(reason));

    /// <param name="statusCode">The status the call site answers with; it is the table's.</param>
    /// <param name="reason">The rejection.</param>
    [DoesNotReturn]
    public static void Throw(int statusCode, RequestRejectionReason reason)
    {
        Debug.Assert(statusCode == StatusOf(reason), "the status of a rejection comes from its table");
        throw new BadHttpRequestException(reason);
    }

    /// <summary>413 with <paramref name="reason"/> and the limit that was exceeded, so a client can tell what to send instead.</summary>
    [DoesNotReturn]
    public static void TooLarge(RequestRejectionReason reason, long limit)
        => throw new BadHttpRequestException(reason, string.Create(CultureInfo.InvariantCulture, $"limit {limit} bytes"));

    [DoesNotReturn]
    public static void BadRequest(RequestRejectionReason reason) => throw new BadHttpRequestException(reason);
}
