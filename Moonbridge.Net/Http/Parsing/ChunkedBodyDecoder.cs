using System.Buffers;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Decodes a chunked request body (RFC 9112 §7.1) incrementally from a pipe: each call starts where the
/// previous one said it consumed to, and state (the bytes left in the current chunk, the part of a line
/// already searched) carries over, so the caller never has to keep more unconsumed framing than one size
/// line or one trailer line, both bounded by the limits.
/// </summary>
internal sealed class ChunkedBodyDecoder
{
    /// <summary>CR and LF that end a line.</summary>
    private const int LineEndLength = 2;

    private readonly HttpParserLimits _limits;
    private ChunkedDecoderState _state;

    /// <summary>Payload bytes left in the current chunk.</summary>
    private long _chunkRemaining;

    /// <summary>Framing, payload and trailer bytes consumed so far: what <see cref="HttpParserLimits.BodySizeLimit"/> bounds.</summary>
    private long _bodyLength;

    /// <summary>Bytes of the trailer section consumed so far, its final CRLF included.</summary>
    private int _trailerLength;

    /// <summary>Progress in finding the end of the size or trailer line at the start of the input.</summary>
    private LineEndSearch _lineEndSearch;

    public ChunkedBodyDecoder(HttpParserLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _limits = limits;
    }

    public bool IsComplete => _state == ChunkedDecoderState.Complete;

    /// <summary>The trailer fields of the body, once complete; null when it had none (the usual case, which allocates nothing).</summary>
    public List<KeyValuePair<string, string>>? Trailers { get; private set; }

    /// <summary>Prepares for a new body.</summary>
    public void Reset()
    {
        _state = ChunkedDecoderState.SizeLine;
        _chunkRemaining = 0;
        _bodyLength = 0;
        _trailerLength = 0;
        Trailers = null;
        _lineEndSearch.Reset();
    }

    /// <summary>
    /// Decodes from the start of <paramref name="input"/>, which must begin where the previous call's
    /// <paramref name="consumed"/> pointed. <see cref="ChunkedReadStatus.Data"/>: <paramref name="payload"/>
    /// is 1 to <paramref name="maxLength"/> payload bytes (a slice of the input) and
    /// <paramref name="consumed"/> is just after them. <see cref="ChunkedReadStatus.NeedMoreData"/>: the
    /// input ended inside framing or payload; <paramref name="consumed"/> is after the framing that was
    /// fully processed. <see cref="ChunkedReadStatus.Complete"/>: <paramref name="consumed"/> is just after
    /// the final CRLF (or the input's start when the body had already been complete). Throws
    /// <see cref="BadHttpRequestException"/> with 400, 413 or 431.
    /// </summary>
    public ChunkedReadStatus Read(in ReadOnlySequence<byte> input, long maxLength, out ReadOnlySequence<byte> payload, out SequencePosition consumed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLength);
        payload = ReadOnlySequence<byte>.Empty;
        ReadOnlySequence<byte> rest = input;
        while (true)
        {
            bool hasProgressed = _state switch
            {
                ChunkedDecoderState.SizeLine => TryReadSizeLine(ref rest),
                ChunkedDecoderState.DataEnd => TryReadDataEnd(ref rest),
                ChunkedDecoderState.Trailer => TryReadTrailerLine(ref rest),
                _ => true,
            };

            if (_state == ChunkedDecoderState.Complete)
            {
                consumed = rest.Start;
                return ChunkedReadStatus.Complete;
            }

            if (_state == ChunkedDecoderState.Data && !rest.IsEmpty)
            {
                payload = rest.Slice(0, Math.Min(Math.Min(_chunkRemaining, maxLength), rest.Length));
                ConsumePayload(payload.Length);
                consumed = payload.End;
                return ChunkedReadStatus.Data;
            }

            if (!hasProgressed || rest.IsEmpty)
            {
                consumed = rest.Start;
                return ChunkedReadStatus.NeedMoreData;
            }
        }
    }

    private bool TryReadSizeLine(ref ReadOnlySequence<byte> rest)
    {
        int maxLineLength = (int)Math.Min(int.MaxValue, (long)_limits.ChunkLineSizeLimit + LineEndLength);
        if (!_lineEndSearch.TryFind(rest, maxLineLength, out int lineLength))
        {
            ThrowIfOverBodyLimit(_bodyLength + _lineEndSearch.SearchedLength);
            return false;
        }

        ThrowIfLineCrossesBodyLimit(lineLength, maxLineLength);
        if (lineLength < 0)
        {
            // The line did not end within its limit.
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidChunk);
        }

        long size = ParseSizeLine(rest.Slice(0, lineLength));
        ConsumeFraming(ref rest, lineLength);

        // Reject an announced chunk that cannot fit at once rather than after reading up to the limit.
        ThrowIfOverBodyLimit(_bodyLength + size);
        _chunkRemaining = size;
        _state = size == 0 ? ChunkedDecoderState.Trailer : ChunkedDecoderState.Data;
        return true;
    }

    private bool TryReadDataEnd(ref ReadOnlySequence<byte> rest)
    {
        var reader = new SequenceReader<byte>(rest);
        if (reader.TryRead(out byte first) && first != (byte)'\r')
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidChunk);
        }

        if (!reader.TryRead(out byte second))
        {
            return false;
        }

        if (second != (byte)'\n')
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidChunk);
        }

        ConsumeFraming(ref rest, LineEndLength);
        _state = ChunkedDecoderState.SizeLine;
        return true;
    }

    private bool TryReadTrailerLine(ref ReadOnlySequence<byte> rest)
    {
        int budget = _limits.TrailerSizeLimit - _trailerLength;
        if (!_lineEndSearch.TryFind(rest, budget, out int lineLength))
        {
            ThrowIfOverBodyLimit(_bodyLength + _lineEndSearch.SearchedLength);
            return false;
        }

        ThrowIfLineCrossesBodyLimit(lineLength, budget);
        if (lineLength < 0)
        {
            HttpParseErrors.Throw(431, HttpParseErrors.TrailerTooLarge);
        }

        bool isEmptyLine = ParseTrailerLine(rest.Slice(0, lineLength));
        _trailerLength += lineLength;
        ConsumeFraming(ref rest, lineLength);
        if (isEmptyLine)
        {
            _state = ChunkedDecoderState.Complete;
        }

        return true;
    }

    private static long ParseSizeLine(in ReadOnlySequence<byte> line)
    {
        Span<byte> scratch = stackalloc byte[ContiguousBytes.StackLimit];
        ReadOnlySpan<byte> bytes = ContiguousBytes.Get(line, scratch, out byte[]? rented);
        try
        {
            return ChunkLineParser.ParseSize(WithoutLineEnd(bytes, HttpParseErrors.InvalidChunk));
        }
        finally
        {
            ContiguousBytes.Return(rented);
        }
    }

    /// <summary>Checks a trailer field line and keeps it (bounded by the trailer size limit); true for the empty line ending the section.</summary>
    private bool ParseTrailerLine(in ReadOnlySequence<byte> line)
    {
        Span<byte> scratch = stackalloc byte[ContiguousBytes.StackLimit];
        ReadOnlySpan<byte> bytes = ContiguousBytes.Get(line, scratch, out byte[]? rented);
        try
        {
            ReadOnlySpan<byte> content = WithoutLineEnd(bytes, HttpParseErrors.InvalidHeaderLine);
            if (content.IsEmpty)
            {
                return true;
            }

            FieldLineParser.Parse(content, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value);
            (Trailers ??= []).Add(new(System.Text.Encoding.Latin1.GetString(name), System.Text.Encoding.Latin1.GetString(value)));
            return false;
        }
        finally
        {
            ContiguousBytes.Return(rented);
        }
    }

    /// <summary>The line without its CRLF; throws 400 for a bare LF or a CR inside the line.</summary>
    private static ReadOnlySpan<byte> WithoutLineEnd(ReadOnlySpan<byte> line, RequestRejectionReason reason)
    {
        if (line.Length < LineEndLength || line[^LineEndLength] != (byte)'\r')
        {
            HttpParseErrors.BadRequest(reason);
        }

        ReadOnlySpan<byte> content = line[..^LineEndLength];
        if (content.Contains((byte)'\r'))
        {
            HttpParseErrors.BadRequest(reason);
        }

        return content;
    }

    private void ConsumeFraming(ref ReadOnlySequence<byte> rest, int length)
    {
        rest = rest.Slice(length);
        _bodyLength += length;
        ThrowIfOverBodyLimit(_bodyLength);
    }

    private void ConsumePayload(long length)
    {
        _bodyLength += length;
        _chunkRemaining -= length;
        if (_chunkRemaining == 0)
        {
            _state = ChunkedDecoderState.DataEnd;
        }
    }

    /// <summary>
    /// Before a found line (or one over its own limit) is judged, the body limit is applied to the bytes
    /// before its LF, exactly as it is applied while the line is still arriving: so the status (413, or the
    /// line's own 400 or 431) does not depend on how the input was cut into reads.
    /// </summary>
    private void ThrowIfLineCrossesBodyLimit(int lineLength, int maxLength)
        => ThrowIfOverBodyLimit(_bodyLength + (lineLength < 0 ? maxLength : lineLength) - 1);

    private void ThrowIfOverBodyLimit(long length)
    {
        if (length > _limits.BodySizeLimit)
        {
            HttpParseErrors.TooLarge(HttpParseErrors.BodyTooLarge, _limits.BodySizeLimit);
        }
    }
}
