using System.Buffers;
using System.Text;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Parses and validates a request head (request line and header section, RFC 9112 §2–§5) strictly: one
/// instance per connection, called again with a longer buffer as data arrives.
/// </summary>
internal sealed class HttpHeadParser
{
    private const int StackCopyLimit = 256;

    private readonly HttpParserLimits _limits;
    private readonly RequestHeadScanner _scanner;
    private readonly RequestHeaderFacts _facts = new();

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

        int headLength = _scanner.HeadLength;
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= headLength)
        {
            Parse(first[..headLength], head);
        }
        else
        {
            ParseCopy(buffer.Slice(0, headLength), head);
        }

        consumed = buffer.GetPosition(headLength);
        _scanner.Reset();
        return true;
    }

    /// <summary>A head spread over several segments is copied once, so the line parsers see plain spans.</summary>
    private void ParseCopy(in ReadOnlySequence<byte> headBytes, HttpRequestHead head)
    {
        int length = (int)headBytes.Length;
        if (length <= StackCopyLimit)
        {
            Span<byte> copy = stackalloc byte[StackCopyLimit];
            headBytes.CopyTo(copy);
            Parse(copy[..length], head);
            return;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            headBytes.CopyTo(rented);
            Parse(rented.AsSpan(0, length), head);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary><paramref name="bytes"/> is the whole head; the scanner has checked its CRLFs and limits.</summary>
    private void Parse(ReadOnlySpan<byte> bytes, HttpRequestHead head)
    {
        head.Reset();
        int requestLineStart = _scanner.RequestLineStart;
        int requestLineEnd = _scanner.RequestLineEnd;
        RequestLineParser.Parse(bytes[requestLineStart..(requestLineEnd - 2)], head);

        _facts.Reset();
        ReadOnlySpan<byte> fieldLines = bytes[requestLineEnd..^2];
        while (!fieldLines.IsEmpty)
        {
            // Every line ends with CRLF and holds no other CR: the scanner guarantees it.
            int lineEnd = fieldLines.IndexOf((byte)'\r');
            FieldLineParser.Parse(fieldLines[..lineEnd], out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value);
            string valueText = value.IsEmpty ? string.Empty : Encoding.Latin1.GetString(value);
            head.Headers.Add(new KeyValuePair<string, string>(KnownHeaderNames.GetString(name), valueText));
            _facts.Observe(name, value, valueText);
            fieldLines = fieldLines[(lineEnd + 2)..];
        }

        RequestHeadValidator.Validate(head, _facts, _limits);
    }
}
