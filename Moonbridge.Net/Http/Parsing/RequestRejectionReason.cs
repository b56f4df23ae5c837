namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Why the server rejects a request; <see cref="HttpParseErrors"/> gives each its status and the reason text of
/// the plain-text error body.
/// </summary>
internal enum RequestRejectionReason
{
    InvalidRequestLine,
    InvalidHeaderLine,
    BareLineFeed,
    BareCarriageReturn,
    RequestLineTooLong,
    HeadTooLarge,
    TooManyHeaders,
    VersionNotSupported,
    MethodNotImplemented,
    InvalidTarget,
    InvalidPercentEncoding,
    InvalidHost,
    InvalidContentLength,
    AnnouncedBodyTooBig,
    UnexpectedTransferEncoding,
    UnsupportedTransferEncoding,
    UnexpectedExpect,
    InvalidChunk,
    BodyTooLarge,
    TrailerTooLarge,
    HeadTimeout,
    BodyTimeout,
    BodyDataRateTooLow,
    UnexpectedEndOfBody,
    AmbiguousContentType,
    UnsupportedContentType,
    NoStatus,
    HandlerFailed,
}
