using System.Text;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// A streaming <c>multipart/form-data</c> parser (RFC 7578 on RFC 2046): the body may be written in chunks
/// of any size, split anywhere, and part data is passed through to the handler as it arrives.
/// </summary>
/// <remarks>
/// Memory is bounded by the part header limit plus the delimiter length, whatever the size of a part: of the
/// data, only a trailing piece that could be the start of a delimiter (at most 73 bytes) is held back until
/// the next chunk shows whether it is one. The delimiter is CRLF <c>--boundary</c>; the first one may also
/// open the body without the CRLF. A delimiter followed by anything but <c>--</c> (the close delimiter),
/// transport padding or a line end is an error: RFC 2046 forbids the delimiter inside part data.
/// Line ends in part headers and after boundaries may be bare LF, as in the original.
/// </remarks>
internal sealed class MultipartReader
{
    private readonly IMultipartHandler _handler;

    // CRLF "--" boundary; CR occurs only at index 0 because a boundary has no CR, which is what lets a
    // failed partial match restart at the next byte without backtracking.
    private readonly byte[] _delimiter;

    // A proper prefix of _delimiter that ended the previous chunk; starts as CRLF so that a body beginning
    // with "--boundary" matches like any other delimiter.
    private readonly byte[] _heldBack;
    private int _heldBackLength;

    private readonly BoundedByteBuffer _headers;

    // Where the header line being read starts in _headers.
    private int _lineStart;

    private MultipartState _state = MultipartState.Preamble;

    public MultipartReader(string boundary, int maxHeaderSize, IMultipartHandler handler)
    {
        ArgumentNullException.ThrowIfNull(boundary);
        ArgumentNullException.ThrowIfNull(handler);
        if (!ContentTypeHeader.IsValidBoundary(boundary))
        {
            throw new FormParseException(400, "Invalid multipart/form-data boundary");
        }

        _handler = handler;
        _delimiter = Encoding.ASCII.GetBytes("\r\n--" + boundary);
        _heldBack = new byte[_delimiter.Length];
        "\r\n"u8.CopyTo(_heldBack);
        _heldBackLength = 2;
        _headers = new BoundedByteBuffer(maxHeaderSize);
    }

    /// <summary>Bytes this reader holds right now (for tests: stays bounded whatever the part size).</summary>
    internal int RetainedCapacity => _heldBack.Length + _headers.Capacity;

    public void Write(ReadOnlySpan<byte> chunk)
    {
        if (_state == MultipartState.Closed)
        {
            throw new InvalidOperationException("The multipart body has already been completed or has failed.");
        }

        try
        {
            while (!chunk.IsEmpty)
            {
                int used = _state switch
                {
                    MultipartState.Preamble => ScanForDelimiter(chunk, inPart: false),
                    MultipartState.Data => ScanForDelimiter(chunk, inPart: true),
                    MultipartState.Headers => ReadHeaderLine(chunk),
                    MultipartState.Epilogue => chunk.Length,
                    _ => ReadBoundaryLine(chunk),
                };
                chunk = chunk[used..];
            }
        }
        catch
        {
            Close();
            throw;
        }
    }

    /// <summary>Ends the body; it must have reached the close delimiter.</summary>
    public void Complete()
    {
        if (_state == MultipartState.Closed)
        {
            return;
        }

        bool closed = _state == MultipartState.Epilogue;
        Close();
        if (!closed)
        {
            throw new FormParseException(400, "Premature end of multipart/form-data request body");
        }
    }

    private int ScanForDelimiter(ReadOnlySpan<byte> chunk, bool inPart)
    {
        if (_heldBackLength > 0)
        {
            ReadOnlySpan<byte> expected = _delimiter.AsSpan(_heldBackLength);
            int compare = Math.Min(expected.Length, chunk.Length);
            if (chunk[..compare].SequenceEqual(expected[..compare]))
            {
                if (compare < expected.Length)
                {
                    chunk.CopyTo(_heldBack.AsSpan(_heldBackLength));
                    _heldBackLength += chunk.Length;
                }
                else
                {
                    _heldBackLength = 0;
                    EndOfDelimiter(inPart);
                }

                return compare;
            }

            // Not a delimiter after all, so the held-back bytes are data. None of them after the first is a CR,
            // so no delimiter can start inside them; the scan goes on from the chunk's first byte.
            if (inPart)
            {
                _handler.OnPartData(_heldBack.AsSpan(0, _heldBackLength));
            }

            _heldBackLength = 0;
        }

        int found = chunk.IndexOf(_delimiter);
        if (found >= 0)
        {
            Deliver(chunk[..found], inPart);
            EndOfDelimiter(inPart);
            return found + _delimiter.Length;
        }

        int keep = PartialDelimiterLength(chunk);
        Deliver(chunk[..^keep], inPart);
        chunk[^keep..].CopyTo(_heldBack);
        _heldBackLength = keep;
        return chunk.Length;
    }

    // The length of the chunk's tail that is a proper prefix of the delimiter. Only the last CR can start one,
    // since the delimiter contains a single CR.
    private int PartialDelimiterLength(ReadOnlySpan<byte> chunk)
    {
        int tailStart = Math.Max(0, chunk.Length - (_delimiter.Length - 1));
        int cr = chunk[tailStart..].LastIndexOf((byte)'\r');
        if (cr < 0)
        {
            return 0;
        }

        ReadOnlySpan<byte> tail = chunk[(tailStart + cr)..];
        return _delimiter.AsSpan().StartsWith(tail) ? tail.Length : 0;
    }

    private void Deliver(ReadOnlySpan<byte> data, bool inPart)
    {
        if (inPart && !data.IsEmpty)
        {
            _handler.OnPartData(data);
        }
    }

    private void EndOfDelimiter(bool inPart)
    {
        if (inPart)
        {
            _handler.OnPartEnd();
        }

        _state = MultipartState.AfterDelimiter;
    }

    // After "--boundary": "--" (close) or transport padding, then CRLF. Handled a byte at a time because the
    // line is short; padding of any length costs no memory.
    private int ReadBoundaryLine(ReadOnlySpan<byte> chunk)
    {
        for (int i = 0; i < chunk.Length; i++)
        {
            byte b = chunk[i];
            (_state, bool done) = (_state, b) switch
            {
                (MultipartState.AfterDelimiter, (byte)'-') => (MultipartState.CloseDelimiter, false),
                (MultipartState.CloseDelimiter, (byte)'-') => (MultipartState.Epilogue, true),
                (MultipartState.AfterDelimiter or MultipartState.TransportPadding, (byte)' ' or (byte)'\t') =>
                    (MultipartState.TransportPadding, false),
                (MultipartState.AfterDelimiter or MultipartState.TransportPadding, (byte)'\r') =>
                    (MultipartState.BoundaryLineFeed, false),
                (MultipartState.AfterDelimiter or MultipartState.TransportPadding or MultipartState.BoundaryLineFeed,
                    (byte)'\n') => (MultipartState.Headers, true),
                _ => throw new FormParseException(400, "Error while parsing multipart body: invalid boundary line"),
            };
            if (done)
            {
                return i + 1;
            }
        }

        return chunk.Length;
    }

    private int ReadHeaderLine(ReadOnlySpan<byte> chunk)
    {
        int lf = chunk.IndexOf((byte)'\n');
        ReadOnlySpan<byte> piece = lf < 0 ? chunk : chunk[..(lf + 1)];
        if (!_headers.TryAppend(piece))
        {
            throw FormBudget.Exceeded(nameof(FormOptions.MultipartHeaderSizeLimit), _headers.Limit, "Header section of multipart/form-data part");
        }

        if (lf < 0)
        {
            return chunk.Length;
        }

        ReadOnlySpan<byte> line = _headers.WrittenSpan[_lineStart..];
        if (line.SequenceEqual("\r\n"u8) || line.SequenceEqual("\n"u8))
        {
            PostMetadata metadata = MultipartPartHeaders.Parse(_headers.WrittenSpan[.._lineStart]);
            _headers.Clear();
            _lineStart = 0;
            _state = MultipartState.Data;
            _handler.OnPartBegin(metadata);
        }
        else
        {
            _lineStart = _headers.Length;
        }

        return piece.Length;
    }

    private void Close()
    {
        _state = MultipartState.Closed;
        _heldBackLength = 0;
        _headers.Release();
    }
}
