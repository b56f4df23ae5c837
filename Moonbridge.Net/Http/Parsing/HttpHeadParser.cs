using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

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
    /// Throws <see cref="BadHttpRequestException"/> for an invalid request, also before it is complete.
    /// </summary>
    public bool TryParse(in ReadOnlySequence<byte> buffer, HttpRequestHead head, out SequencePosition consumed)
    {
        ArgumentNullException.ThrowIfNull(head);

        // The common case: the whole head arrived in the first read. Only tried when the scanner has not
        // started on this request, so a head trickling in is still scanned once, resuming, not once per call.
        if (_scanner.IsAtStart && TryParseInOnePass(buffer.FirstSpan, head, out int headLength))
        {
            consumed = buffer.GetPosition(headLength);
            return true;
        }

        if (!_scanner.TryFindEnd(buffer))
        {
            consumed = buffer.Start;
            return false;
        }

        // Taken before parsing and reset at once, so that the next request starts afresh whether this
        // head turns out valid or not.
        int requestLineStart = _scanner.RequestLineStart;
        headLength = _scanner.HeadLength;
        _scanner.Reset();

        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= headLength)
        {
            ParseScanned(first[requestLineStart..headLength], head);
        }
        else
        {
            ParseCopy(buffer.Slice(requestLineStart, headLength - requestLineStart), head);
        }

        consumed = buffer.GetPosition(headLength);
        return true;
    }

    /// <summary>
    /// Parses the head at the start of <paramref name="bytes"/> when it is plainly valid and complete within
    /// them and within the limits. False for anything else, the head left empty: the scanner then judges the
    /// bytes, so errors, their status codes and their precedence are exactly those of a head that arrives in
    /// pieces. The rules that span the head (<see cref="RequestHeadValidator"/>) run here as they do there.
    /// </summary>
    private bool TryParseInOnePass(ReadOnlySpan<byte> bytes, HttpRequestHead head, out int headLength)
    {
        if (bytes.Length > _limits.HeaderSizeLimit)
        {
            bytes = bytes[.._limits.HeaderSizeLimit];
        }

        headLength = _previous.MatchHead(bytes);
        if (headLength > 0)
        {
            ParseRepeatedHead(bytes, head);
            return true;
        }

        // Empty lines before the request line are legal but unusual: the request line reader does not take
        // them, and the scanner skips them.
        return ReadHead(bytes, head, out headLength) == HeadVerdict.Read;
    }

    /// <summary>
    /// <paramref name="bytes"/> is exactly a head from its request line to its empty line, which the scanner
    /// found with CRLF line ends only and within the limits: what the line readers do not accept is an error.
    /// </summary>
    private void ParseScanned(ReadOnlySpan<byte> bytes, HttpRequestHead head)
    {
        switch (ReadHead(bytes, head, out _))
        {
            case HeadVerdict.Read:
                return;
            case HeadVerdict.InvalidRequestLine:
                HttpParseErrors.BadRequest(HttpParseErrors.InvalidRequestLine);
                break;
            case HeadVerdict.VersionNotSupported:
                HttpParseErrors.Throw(505, HttpParseErrors.VersionNotSupported);
                break;
            case HeadVerdict.InvalidFieldLine:
                HttpParseErrors.BadRequest(HttpParseErrors.InvalidHeaderLine);
                break;
            default:
                throw new UnreachableException("The scanner let through a head beyond the limits.");
        }
    }

    /// <summary>
    /// Reads the lines of the head at the start of <paramref name="bytes"/> with the line readers (or, for a
    /// line that repeats the previous request's byte for byte, with what they found then), then applies the
    /// rules that span the head, which throw. Anything but <see cref="HeadVerdict.Read"/> leaves nothing of
    /// these bytes in <paramref name="head"/>.
    /// </summary>
    private HeadVerdict ReadHead(ReadOnlySpan<byte> bytes, HttpRequestHead head, out int headLength)
    {
        headLength = 0;
        ReadOnlySpan<byte> method = default;
        ReadOnlySpan<byte> target = default;
        HttpVersion version = default;
        int requestLineLength = _previous.MatchRequestLine(bytes);
        bool isRepeatedRequestLine = requestLineLength > 0;
        if (!isRepeatedRequestLine)
        {
            HeadVerdict verdict = RequestLineParser.TryRead(bytes, out method, out target, out version, out requestLineLength);
            if (verdict != HeadVerdict.Read)
            {
                return verdict;
            }

            if (!_limits.AllowsRequestLine(requestLineLength - HeadLineEnd.Length))
            {
                return HeadVerdict.BeyondLimits;
            }
        }

        head.Reset();
        _facts.Reset();
        _facts.KnownValidHost = _previous.Host;
        int position = requestLineLength;
        while (!HeadLineEnd.IsAt(bytes, position))
        {
            int index = head.Headers.Count;
            if (!_limits.AllowsFieldLines(index + 1))
            {
                head.Reset();
                return HeadVerdict.BeyondLimits;
            }

            if (!TryAddFieldLine(index, bytes[position..], position, head, out int lineLength))
            {
                head.Reset();
                return HeadVerdict.InvalidFieldLine;
            }

            position += lineLength;
        }

        headLength = position + HeadLineEnd.Length;
        if (isRepeatedRequestLine)
        {
            head.Version = _previous.Version;
            head.Method = _previous.Method!;
            head.Target = _previous.Target!;
        }
        else
        {
            head.Version = version;
            head.Method = KnownMethods.GetString(method);
            head.Target = _previous.GetTarget(target);
        }

        RequestHeadValidator.Validate(head, _facts, _limits, _previous);
        _previous.RememberLayout(head, bytes[..headLength], requestLineLength);
        return HeadVerdict.Read;
    }

    /// <summary>
    /// The head at the start of <paramref name="bytes"/> is the previous one byte for byte, so every line is
    /// sound and splits as before, with the same strings: only the fields that shape the request are noted
    /// again and the rules that span the head applied again, as for any other head.
    /// </summary>
    private void ParseRepeatedHead(ReadOnlySpan<byte> bytes, HttpRequestHead head)
    {
        head.Reset();
        _facts.Reset();
        _facts.KnownValidHost = _previous.Host;
        // One bulk copy of the previous fields rather than an Add each.
        head.Headers.AddRange(_previous.Fields);
        int lineCount = _previous.LineCount;
        for (int index = 0; index < lineCount; index++)
        {
            FieldLineLayout layout = _previous.LayoutAt(index);
            if (layout.Field != RequestShapingField.None)
            {
                _facts.Observe(layout.Field, bytes.Slice(layout.Start + layout.ValueOffset, layout.ValueLength), _previous.ValueAt(index));
            }
        }

        head.Version = _previous.Version;
        head.Method = _previous.Method!;
        head.Target = _previous.Target!;
        RequestHeadValidator.Validate(head, _facts, _limits, _previous);
    }

    /// <summary>Field line <paramref name="index"/> at <paramref name="position"/> in the head, <paramref name="line"/> the bytes from there on.</summary>
    private bool TryAddFieldLine(int index, ReadOnlySpan<byte> line, int position, HttpRequestHead head, out int lineLength)
    {
        ReadOnlySpan<byte> name;
        ReadOnlySpan<byte> value;
        RequestShapingField field;
        if (_previous.MatchFieldLine(index, line, out FieldLineLayout layout))
        {
            // The same line as before: sound, split the same way, with the same strings.
            name = line[..layout.NameLength];
            value = line.Slice(layout.ValueOffset, layout.ValueLength);
            string valueText = _previous.ValueAt(index);
            head.Headers.Add(new KeyValuePair<string, string>(_previous.NameAt(index), valueText));
            field = layout.Field;
            _facts.Observe(field, value, valueText);
            lineLength = layout.Length;
        }
        else if (FieldLineParser.TryRead(line, out name, out value, out lineLength))
        {
            field = AddField(head, name, value);
        }
        else
        {
            return false;
        }

        int valueOffset = value.IsEmpty ? 0 : (int)Unsafe.ByteOffset(ref MemoryMarshal.GetReference(line), ref MemoryMarshal.GetReference(value));
        _previous.NoteLayout(index, new FieldLineLayout(position, lineLength, name.Length, valueOffset, value.Length, field));
        return true;
    }

    /// <summary>Adds a field line to <paramref name="head"/>; returns which of the fields that shape the request it is.</summary>
    private RequestShapingField AddField(HttpRequestHead head, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        int index = head.Headers.Count;
        string valueText = _previous.GetValue(index, value);
        head.Headers.Add(new KeyValuePair<string, string>(_previous.GetName(index, name), valueText));
        return _facts.Observe(name, value, valueText);
    }

    /// <summary>A head spread over several segments is copied once, so the line readers see plain spans.</summary>
    private void ParseCopy(in ReadOnlySequence<byte> headBytes, HttpRequestHead head)
    {
        Span<byte> scratch = stackalloc byte[ContiguousBytes.StackLimit];
        ReadOnlySpan<byte> bytes = ContiguousBytes.Get(headBytes, scratch, out byte[]? rented);
        try
        {
            ParseScanned(bytes, head);
        }
        finally
        {
            ContiguousBytes.Return(rented);
        }
    }
}
