namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Walks the elements of a <c>#element</c> list (RFC 9110 §5.6.1) without allocating, each with its OWS
/// removed. Empty elements are returned too, so a caller can decide whether it accepts them. Quoted
/// strings are not recognised: the lists this parser reads (Content-Length, Transfer-Encoding,
/// Connection, Expect) are judged by their plain tokens.
/// </summary>
internal ref struct CommaSeparatedList
{
    private ReadOnlySpan<byte> _remaining;
    private bool _isDone;

    public CommaSeparatedList(ReadOnlySpan<byte> value)
    {
        _remaining = value;
    }

    public bool TryReadNext(out ReadOnlySpan<byte> element)
    {
        if (_isDone)
        {
            element = default;
            return false;
        }

        int comma = _remaining.IndexOf((byte)',');
        if (comma < 0)
        {
            element = HttpCharacters.TrimWhitespace(_remaining);
            _isDone = true;
        }
        else
        {
            element = HttpCharacters.TrimWhitespace(_remaining[..comma]);
            _remaining = _remaining[(comma + 1)..];
        }

        return true;
    }
}
