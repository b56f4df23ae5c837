using System.Buffers;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Parses and validates a request head (request line and header section, RFC 9112 §2–§5) strictly: one
/// instance per connection, called again with a longer buffer as data arrives.
/// </summary>
internal sealed class HttpHeadParser
{
    private readonly HttpParserLimits _limits;
    private readonly RequestHeadScanner _scanner;
    private readonly RequestHeaderFacts _facts = new();
    private readonly PreviousRequestStrings _previous = new();

    public HttpHeadParser(HttpParserLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
        _scanner = new RequestHeadScanner(limits);
    }

    /// <summary>Forgets the progress of an incomplete head; call it before the first call for a new request.</summary>
    public void Reset() => _scanner.Reset();

    /// <summary>
    /// Parses the head at the start of <paramref name="buffer"/>. False while it is incomplete
    /// (<paramref name="consumed"/> is the buffer's start; everything was examined). True when it was
    /// complete and valid: <paramref name="head"/> was reset and filled, and <paramref name="consumed"/> is
    /// just after the empty line that ends the head; the parser is then ready for the next request.
    /// Throws <see cref="HttpParseException"/> for an invalid request, also before it is complete.
    /// </summary>
    public bool TryParse(in ReadOnlySequence<byte> buffer, HttpRequestHead head, out SequencePosition consumed)
    {
        ArgumentNullException.ThrowIfNull(head);
        if (!_scanner.TryFindEnd(buffer))
        {
            consumed = buffer.Start;
            return false;
        }

        // Taken before parsing and reset at once, so that the next request starts afresh whether this
        // head turns out valid or not.
        var lines = new HeadLines(_scanner.RequestLineStart, _scanner.RequestLineEnd, _scanner.HeadLength);
        _scanner.Reset();

        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= lines.HeadLength)
        {
            Parse(first[..lines.HeadLength], lines, head);
        }
        else
        {
            ParseCopy(buffer.Slice(0, lines.HeadLength), lines, head);
        }

        consumed = buffer.GetPosition(lines.HeadLength);
        return true;
    }

    /// <summary>A head spread over several segments is copied once, so the line parsers see plain spans.</summary>
    private void ParseCopy(in ReadOnlySequence<byte> headBytes, HeadLines lines, HttpRequestHead head)
    {
        Span<byte> scratch = stackalloc byte[ContiguousBytes.StackLimit];
        ReadOnlySpan<byte> bytes = ContiguousBytes.Get(headBytes, scratch, out byte[]? rented);
        try
        {
            Parse(bytes, lines, head);
        }
        finally
        {
            ContiguousBytes.Return(rented);
        }
    }

    /// <summary><paramref name="bytes"/> is the whole head; the scanner has checked its CRLFs and limits.</summary>
    private void Parse(ReadOnlySpan<byte> bytes, HeadLines lines, HttpRequestHead head)
    {
        head.Reset();
        RequestLineParser.Parse(bytes[lines.RequestLineStart..(lines.RequestLineEnd - 2)], head, _previous);

        _facts.Reset();
        _facts.KnownValidHost = _previous.Host;
        ReadOnlySpan<byte> fieldLines = bytes[lines.RequestLineEnd..^2];
        while (!fieldLines.IsEmpty)
        {
            // Every line ends with CRLF and holds no other CR: the scanner guarantees it.
            int lineEnd = fieldLines.IndexOf((byte)'\r');
            FieldLineParser.Parse(fieldLines[..lineEnd], out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value);
            int index = head.Headers.Count;
            string valueText = _previous.GetValue(index, value);
            head.Headers.Add(new KeyValuePair<string, string>(_previous.GetName(index, name), valueText));
            _facts.Observe(name, value, valueText);
            fieldLines = fieldLines[(lineEnd + 2)..];
        }

        RequestHeadValidator.Validate(head, _facts, _limits, _previous);
        _previous.Remember(head);
    }
}
