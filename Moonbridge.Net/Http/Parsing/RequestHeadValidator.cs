namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// The rules that span the whole head (RFC 9112 §3.2, §6, §9.3; RFC 9110 §10.1.1), applied once every
/// line is known to be well-formed. Fills the derived members of <see cref="HttpRequestHead"/>.
/// </summary>
internal static class RequestHeadValidator
{
    public static void Validate(HttpRequestHead head, RequestHeaderFacts facts, HttpParserLimits limits, PreviousRequestStrings? previous = null)
    {
        if (head.Method == KnownMethods.Connect)
        {
            HttpParseErrors.Throw(501, HttpParseErrors.MethodNotImplemented);
        }

        RequestTargetParser.Apply(head, previous);
        ValidateHost(head, facts);
        SetFraming(head, facts, limits);

        if (facts.HasUnknownExpectation)
        {
            HttpParseErrors.Throw(417, HttpParseErrors.UnexpectedExpect);
        }

        // A 100-continue expectation in an HTTP/1.0 request must be ignored (RFC 9110 §10.1.1).
        head.ExpectContinue = facts.ExpectsContinue && head.Version == HttpVersion.Http11;
        head.KeepAlive = !facts.HasConnectionClose
            && (head.Version == HttpVersion.Http11 || facts.HasConnectionKeepAlive);
    }

    private static void ValidateHost(HttpRequestHead head, RequestHeaderFacts facts)
    {
        // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any request with more than
        // one Host line or an invalid one, even when an absolute-form target supplies the host.
        bool isMissing = facts.HostCount == 0 && head.Version == HttpVersion.Http11;
        if (isMissing || facts.HostCount > 1 || facts.HasInvalidHost)
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidHost);
        }

        if (head.TargetForm != TargetForm.Absolute)
        {
            head.Host = facts.HostValue ?? string.Empty;
        }
    }

    private static void SetFraming(HttpRequestHead head, RequestHeaderFacts facts, HttpParserLimits limits)
    {
        if (facts.HasTransferEncoding)
        {
            ValidateTransferEncoding(head, facts);
            head.Framing = BodyFraming.Chunked;
            return;
        }

        if (!facts.HasContentLength)
        {
            head.Framing = BodyFraming.None;
            return;
        }

        if (facts.HasInvalidContentLength)
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidContentLength);
        }

        if (facts.ContentLength > limits.BodySizeLimit)
        {
            HttpParseErrors.TooLarge(HttpParseErrors.AnnouncedBodyTooBig, limits.BodySizeLimit);
        }

        // Content-Length: 0 is framed as None: there is no body to read, which is all a reader needs to know.
        head.ContentLength = facts.ContentLength;
        head.Framing = facts.ContentLength == 0 ? BodyFraming.None : BodyFraming.ContentLength;
    }

    private static void ValidateTransferEncoding(HttpRequestHead head, RequestHeaderFacts facts)
    {
        // An HTTP/1.0 recipient may not understand Transfer-Encoding, and with Content-Length as well the
        // framing is ambiguous: both are request smuggling vectors (RFC 9112 §6.1, §6.3), rejected outright.
        if (head.Version == HttpVersion.Http10 || facts.HasContentLength)
        {
            HttpParseErrors.BadRequest(HttpParseErrors.UnexpectedTransferEncoding);
        }

        // Chunked must be applied exactly once and last, else the body length cannot be determined.
        bool isChunkedMisplaced = facts.ChunkedCount > 1 || (facts.ChunkedCount == 1 && !facts.IsChunkedLast);
        bool hasNoCoding = facts.ChunkedCount == 0 && !facts.HasOtherCoding;
        if (isChunkedMisplaced || hasNoCoding)
        {
            HttpParseErrors.BadRequest(HttpParseErrors.UnexpectedTransferEncoding);
        }

        // Only chunked is implemented (RFC 9112 §6.1: 501 for a coding the server does not understand).
        if (facts.HasOtherCoding)
        {
            HttpParseErrors.Throw(501, HttpParseErrors.UnsupportedTransferEncoding);
        }
    }
}
