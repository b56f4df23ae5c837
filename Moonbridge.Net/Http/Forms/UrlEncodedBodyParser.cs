namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Parses an <c>application/x-www-form-urlencoded</c> body fed in chunks of any size, with the rules of
/// <see cref="QueryStringParser"/>. Only the field being read is buffered, at most the key or value length limit
/// (measured before decoding); what is kept is counted against the rest of the <see cref="FormBudget"/>.
/// Values are kept as their decoded bytes.
/// </summary>
internal sealed class UrlEncodedBodyParser
{
    private readonly FormParameters _into;
    private readonly FormBudget _budget;
    private readonly BoundedByteBuffer _token;

    // The decoded name once its '=' has been seen; null while the name is still being read.
    private string? _name;
    private bool _completed;

    /// <param name="into">Receives the fields.</param>
    /// <param name="maxFieldLength">The longest name or value accepted, in encoded bytes; longer → 413.</param>
    public UrlEncodedBodyParser(FormParameters into, int maxFieldLength)
        : this(into, FormBudget.ForFieldLength(maxFieldLength))
    {
    }

    /// <param name="into">Receives the fields.</param>
    /// <param name="budget">The limits; any overrun → 413 naming the limit.</param>
    public UrlEncodedBodyParser(FormParameters into, FormBudget budget)
    {
        ArgumentNullException.ThrowIfNull(into);
        ArgumentNullException.ThrowIfNull(budget);
        _into = into;
        _budget = budget;
        _token = new BoundedByteBuffer(Math.Max(budget.KeyLengthLimit, budget.ValueLengthLimit));
    }

    public void Write(ReadOnlySpan<byte> chunk)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The form body has already been completed or has failed.");
        }

        try
        {
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
                    _name = TakeName();
                }
                else
                {
                    EndItem();
                }

                chunk = chunk[(end + 1)..];
            }
        }
        catch
        {
            Fail();
            throw;
        }
    }

    /// <summary>Ends the body: the last item is added and the buffer goes back to the pool.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        try
        {
            EndItem();
        }
        finally
        {
            Fail();
        }
    }

    private void Fail()
    {
        _completed = true;
        _token.Release();
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        if (_name is null)
        {
            _budget.CheckKeyLength(_token.Length + data.Length);
        }
        else if (data.Length > _budget.ValueLengthLimit - _token.Length)
        {
            throw FormBudget.Exceeded(nameof(FormOptions.ValueLengthLimit), _budget.ValueLengthLimit, "Form value length");
        }

        if (!_token.TryAppend(data))
        {
            throw new FormParseException(413, "Form field name or value too long");
        }
    }

    private void EndItem()
    {
        if (_name is not null)
        {
            _budget.AddValue();
            _into.Add(_name, TakeValue());
            _name = null;
        }
        else if (_token.Length > 0)
        {
            // An item without '=' is a field with an empty value (the original dropped it).
            _budget.AddValue();
            _into.Add(TakeName(), []);
        }
    }

    private string TakeName()
    {
        int length = PercentDecoder.DecodeInPlace(_token.WrittenSpan, plusAsSpace: true);
        _budget.Reserve(length);
        string name = length == 0 ? string.Empty : System.Text.Encoding.UTF8.GetString(_token.WrittenSpan[..length]);
        _token.Clear();
        return name;
    }

    private byte[] TakeValue()
    {
        int length = PercentDecoder.DecodeInPlace(_token.WrittenSpan, plusAsSpace: true);
        _budget.Reserve(length);
        byte[] value = _token.WrittenSpan[..length].ToArray();
        _token.Clear();
        return value;
    }
}
