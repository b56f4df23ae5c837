namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Parses an <c>application/x-www-form-urlencoded</c> body fed in chunks of any size, with the rules of
/// <see cref="QueryStringParser"/>. Only the field being read is buffered, so memory is bounded by the
/// longest name or value, which may not exceed the limit given to the constructor (measured before decoding).
/// </summary>
internal sealed class UrlEncodedBodyParser
{
    private readonly FormParameters _into;
    private readonly BoundedByteBuffer _token;

    // The decoded name once its '=' has been seen; null while the name is still being read.
    private string? _name;
    private bool _completed;

    /// <param name="into">Receives the fields.</param>
    /// <param name="maxFieldLength">The longest name or value accepted, in encoded bytes; longer → 413.</param>
    public UrlEncodedBodyParser(FormParameters into, int maxFieldLength)
    {
        ArgumentNullException.ThrowIfNull(into);
        _into = into;
        _token = new BoundedByteBuffer(maxFieldLength);
    }

    public void Write(ReadOnlySpan<byte> chunk)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The form body has already been completed or has failed.");
        }

        while (!chunk.IsEmpty)
        {
            // Inside a value only '&' ends the token; a further '=' is part of the value.
            int end = _name is null ? chunk.IndexOfAny((byte)'&', (byte)'=') : chunk.IndexOf((byte)'&');
            Append(end < 0 ? chunk : chunk[..end]);
            if (end < 0)
            {
                return;
            }

            if (chunk[end] == '=')
            {
                _name = TakeToken();
            }
            else
            {
                EndItem();
            }

            chunk = chunk[(end + 1)..];
        }
    }

    /// <summary>Ends the body: the last item is added and the buffer goes back to the pool.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        EndItem();
        _completed = true;
        _token.Release();
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (!_token.TryAppend(data))
        {
            _token.Release();
            _completed = true;
            throw new FormParseException(413, "Form field name or value too long");
        }
    }

    private void EndItem()
    {
        if (_name is not null)
        {
            _into.Add(_name, TakeToken());
            _name = null;
        }
        else if (_token.Length > 0)
        {
            // An item without '=' is a field with an empty value (the original dropped it).
            _into.Add(TakeToken(), string.Empty);
        }
    }

    private string TakeToken()
    {
        string text = PercentDecoder.DecodeUtf8InPlace(_token.WrittenSpan, plusAsSpace: true);
        _token.Clear();
        return text;
    }
}
