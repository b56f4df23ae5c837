using System.Text;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// What the fields that shape a request say (Host, Content-Length, Transfer-Encoding, Connection,
/// Expect), gathered from the raw bytes while the lines are parsed and judged by
/// <see cref="RequestHeadValidator"/> once all are read, so the verdict does not depend on field order.
/// One instance is reused per parser.
/// </summary>
internal sealed class RequestHeaderFacts
{
    public int HostCount { get; private set; }

    public bool HasInvalidHost { get; private set; }

    public string? HostValue { get; private set; }

    public bool HasContentLength { get; private set; }

    public bool HasInvalidContentLength { get; private set; }

    /// <summary>The agreed Content-Length, or -1.</summary>
    public long ContentLength { get; private set; } = -1;

    public bool HasTransferEncoding { get; private set; }

    public int ChunkedCount { get; private set; }

    /// <summary>Whether the last coding of all Transfer-Encoding lines is chunked.</summary>
    public bool IsChunkedLast { get; private set; }

    public bool HasOtherCoding { get; private set; }

    public bool HasConnectionClose { get; private set; }

    public bool HasConnectionKeepAlive { get; private set; }

    public bool ExpectsContinue { get; private set; }

    public bool HasUnknownExpectation { get; private set; }

    /// <summary>A Host value already found valid (the previous request's): the same string needs no second check.</summary>
    public string? KnownValidHost { get; set; }

    public void Reset()
    {
        HostCount = 0;
        HasInvalidHost = false;
        HostValue = null;
        HasContentLength = false;
        HasInvalidContentLength = false;
        ContentLength = -1;
        HasTransferEncoding = false;
        ChunkedCount = 0;
        IsChunkedLast = false;
        HasOtherCoding = false;
        HasConnectionClose = false;
        HasConnectionKeepAlive = false;
        ExpectsContinue = false;
        HasUnknownExpectation = false;
    }

    /// <summary>Which of the fields that shape a request <paramref name="name"/> is, if any (names are case-insensitive).</summary>
    public static RequestShapingField Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        4 when Ascii.EqualsIgnoreCase(name, "host"u8) => RequestShapingField.Host,
        6 when Ascii.EqualsIgnoreCase(name, "expect"u8) => RequestShapingField.Expect,
        10 when Ascii.EqualsIgnoreCase(name, "connection"u8) => RequestShapingField.Connection,
        14 when Ascii.EqualsIgnoreCase(name, "content-length"u8) => RequestShapingField.ContentLength,
        17 when Ascii.EqualsIgnoreCase(name, "transfer-encoding"u8) => RequestShapingField.TransferEncoding,
        _ => RequestShapingField.None,
    };

    /// <summary>
    /// Takes note of one field line; <paramref name="valueText"/> is <paramref name="value"/> decoded. Returns
    /// which field it is, so a caller that meets the same line again can pass that instead of the name.
    /// </summary>
    public RequestShapingField Observe(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, string valueText)
    {
        RequestShapingField field = Classify(name);
        Observe(field, value, valueText);
        return field;
    }

    /// <summary>Takes note of a field line already classified as <paramref name="field"/>.</summary>
    public void Observe(RequestShapingField field, ReadOnlySpan<byte> value, string valueText)
    {
        switch (field)
        {
            case RequestShapingField.Host:
                HostCount++;
                HostValue ??= valueText;
                HasInvalidHost |= !ReferenceEquals(valueText, KnownValidHost) && !HostSyntax.IsValid(valueText, allowEmpty: true);
                break;
            case RequestShapingField.Expect:
                ObserveExpect(value);
                break;
            case RequestShapingField.Connection:
                ObserveConnection(value);
                break;
            case RequestShapingField.ContentLength:
                HasContentLength = true;
                long length = ContentLength;
                HasInvalidContentLength |= !ContentLengthParser.TryAccumulate(value, ref length);
                ContentLength = length;
                break;
            case RequestShapingField.TransferEncoding:
                ObserveTransferEncoding(value);
                break;
        }
    }

    private void ObserveTransferEncoding(ReadOnlySpan<byte> value)
    {
        // Several lines form one list (RFC 9110 §5.3), so "chunked" on one line and "gzip" on a later
        // one means chunked is not last.
        HasTransferEncoding = true;
        var codings = new CommaSeparatedList(value);
        while (codings.TryReadNext(out ReadOnlySpan<byte> coding))
        {
            if (coding.IsEmpty)
            {
                continue;
            }

            IsChunkedLast = Ascii.EqualsIgnoreCase(coding, "chunked"u8);
            if (IsChunkedLast)
            {
                ChunkedCount++;
            }
            else
            {
                HasOtherCoding = true;
            }
        }
    }

    private void ObserveConnection(ReadOnlySpan<byte> value)
    {
        // The two values nearly every client sends, without walking a list; in the usual lower case first,
        // which is a plain comparison.
        if (value.SequenceEqual("keep-alive"u8) || Ascii.EqualsIgnoreCase(value, "keep-alive"u8))
        {
            HasConnectionKeepAlive = true;
            return;
        }

        if (Ascii.EqualsIgnoreCase(value, "close"u8))
        {
            HasConnectionClose = true;
            return;
        }

        var options = new CommaSeparatedList(value);
        while (options.TryReadNext(out ReadOnlySpan<byte> option))
        {
            HasConnectionClose |= Ascii.EqualsIgnoreCase(option, "close"u8);
            HasConnectionKeepAlive |= Ascii.EqualsIgnoreCase(option, "keep-alive"u8);
        }
    }

    private void ObserveExpect(ReadOnlySpan<byte> value)
    {
        // Expect = #expectation: empty elements (and so an empty value) expect nothing.
        var expectations = new CommaSeparatedList(value);
        while (expectations.TryReadNext(out ReadOnlySpan<byte> expectation))
        {
            if (expectation.IsEmpty)
            {
                continue;
            }

            if (Ascii.EqualsIgnoreCase(expectation, "100-continue"u8))
            {
                ExpectsContinue = true;
            }
            else
            {
                HasUnknownExpectation = true;
            }
        }
    }
}
