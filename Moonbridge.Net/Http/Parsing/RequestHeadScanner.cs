using System.Buffers;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Finds where a request head ends (the empty line) and enforces what can be judged before it is
/// complete: CRLF-only line endings and the size and count limits. It resumes where the previous call
/// stopped, so a head that trickles in byte by byte costs linear, not quadratic, time.
/// </summary>
internal sealed class RequestHeadScanner
{
    private readonly HttpParserLimits _limits;

    /// <summary>Bytes from the start of the request already examined; the next call continues there.</summary>
    private int _scannedLength;

    /// <summary>Offset of the first byte of the line being scanned.</summary>
    private int _lineStart;

    /// <summary>The last scanned byte was a CR, so the next one must be LF.</summary>
    private bool _isLineFeedDue;

    private bool _hasRequestLine;
    private int _fieldLineCount;

    public RequestHeadScanner(HttpParserLimits limits)
    {
        _limits = limits;
    }

    /// <summary>Offset of the request line, after any empty lines that preceded it.</summary>
    public int RequestLineStart { get; private set; }

    /// <summary>Bytes of the whole head including its final empty line; valid once <see cref="TryFindEnd"/> returned true.</summary>
    public int HeadLength { get; private set; }

    /// <summary>True before the first byte of a request was scanned: nothing is to be resumed.</summary>
    public bool IsAtStart => _scannedLength == 0;

    public void Reset()
    {
        _scannedLength = 0;
        _lineStart = 0;
        _isLineFeedDue = false;
        _hasRequestLine = false;
        _fieldLineCount = 0;
        RequestLineStart = 0;
        HeadLength = 0;
    }

    /// <summary>
    /// True once <paramref name="buffer"/> (which starts at the request and only grows between calls)
    /// holds the whole head; false when more is needed; throws 400, 414 or 431.
    /// </summary>
    public bool TryFindEnd(in ReadOnlySequence<byte> buffer)
    {
        if (buffer.Length < _scannedLength)
        {
            throw new InvalidOperationException("The buffer shrank between calls; call Reset before parsing a new request.");
        }

        // Never look further than the limit: a head that does not end within it is rejected anyway.
        int scanEnd = (int)Math.Min(buffer.Length, _limits.HeaderSizeLimit);
        if (_scannedLength < scanEnd && buffer.IsSingleSegment)
        {
            if (ScanSegment(buffer.FirstSpan[_scannedLength..scanEnd]))
            {
                return true;
            }
        }
        else if (_scannedLength < scanEnd)
        {
            foreach (ReadOnlyMemory<byte> segment in buffer.Slice(_scannedLength, scanEnd - _scannedLength))
            {
                if (ScanSegment(segment.Span))
                {
                    return true;
                }
            }
        }

        ThrowIfIncompleteHeadIsTooLong(buffer.Length);
        return false;
    }

    private bool ScanSegment(ReadOnlySpan<byte> segment)
    {
        int segmentStart = _scannedLength;
        int index = 0;
        if (_isLineFeedDue && !segment.IsEmpty)
        {
            // The CR ended the previous segment.
            if (segment[0] != (byte)'\n')
            {
                RejectLineEnd(HttpParseErrors.BareCarriageReturn, segmentStart - 1);
            }

            _isLineFeedDue = false;
            if (EndLine(lineFeedOffset: segmentStart))
            {
                _scannedLength = segmentStart + 1;
                return true;
            }

            index = 1;
        }

        while (index < segment.Length)
        {
            int found = segment[index..].IndexOfAny((byte)'\r', (byte)'\n');
            if (found < 0)
            {
                break;
            }

            int carriageReturn = index + found;
            if (segment[carriageReturn] == (byte)'\n')
            {
                RejectLineEnd(HttpParseErrors.BareLineFeed, segmentStart + carriageReturn);
            }

            if (carriageReturn + 1 == segment.Length)
            {
                _isLineFeedDue = true;
                break;
            }

            if (segment[carriageReturn + 1] != (byte)'\n')
            {
                RejectLineEnd(HttpParseErrors.BareCarriageReturn, segmentStart + carriageReturn);
            }

            if (EndLine(lineFeedOffset: segmentStart + carriageReturn + 1))
            {
                _scannedLength = segmentStart + carriageReturn + 2;
                return true;
            }

            index = carriageReturn + 2;
        }

        _scannedLength = segmentStart + segment.Length;
        return false;
    }

    /// <summary>Handles the line whose CRLF ends at <paramref name="lineFeedOffset"/>; true when it was the empty line ending the head.</summary>
    private bool EndLine(int lineFeedOffset)
    {
        int lineLength = lineFeedOffset - 1 - _lineStart;
        int nextLineStart = lineFeedOffset + 1;
        if (!_hasRequestLine)
        {
            // RFC 9112 §2.2: empty lines before the request line are ignored (the head size limit bounds them).
            if (lineLength > 0)
            {
                ThrowIfRequestLineTooLong(lineLength);
                _hasRequestLine = true;
                RequestLineStart = _lineStart;
            }
        }
        else if (lineLength == 0)
        {
            HeadLength = nextLineStart;
            return true;
        }
        else if (!_limits.AllowsFieldLines(++_fieldLineCount))
        {
            HttpParseErrors.Throw(431, HttpParseErrors.TooManyHeaders);
        }

        _lineStart = nextLineStart;
        return false;
    }

    /// <summary>
    /// Rejects a malformed line end at <paramref name="offset"/>. A request line already longer than its limit
    /// there is reported as such (414), as it is when the same bytes arrive in pieces and the limit is
    /// judged before the bad line end is seen: the outcome must not depend on how the input was cut.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void RejectLineEnd(RequestRejectionReason reason, int offset)
    {
        if (!_hasRequestLine)
        {
            ThrowIfRequestLineTooLong(offset - _lineStart);
        }

        HttpParseErrors.BadRequest(reason);
    }

    private void ThrowIfIncompleteHeadIsTooLong(long bufferLength)
    {
        if (!_hasRequestLine)
        {
            ThrowIfRequestLineTooLong(_scannedLength - _lineStart - (_isLineFeedDue ? 1 : 0));
        }

        if (bufferLength > _limits.HeaderSizeLimit)
        {
            // Everything up to the limit was scanned without finding the end of the head.
            HttpParseErrors.Throw(_hasRequestLine ? 431 : 414, _hasRequestLine ? HttpParseErrors.HeadTooLarge : HttpParseErrors.RequestLineTooLong);
        }
    }

    private void ThrowIfRequestLineTooLong(int length)
    {
        if (!_limits.AllowsRequestLine(length))
        {
            HttpParseErrors.Throw(414, HttpParseErrors.RequestLineTooLong);
        }
    }
}
