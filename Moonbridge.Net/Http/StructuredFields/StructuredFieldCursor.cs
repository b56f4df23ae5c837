namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>
/// The position in a field value that <see cref="StructuredFieldParser"/> reads from, with the RFC 9651 rules for each
/// piece (members, items, parameters, keys and the eight bare item types); every <c>Try</c> method fails on the first
/// character that breaks its rule.
/// </summary>
internal ref partial struct StructuredFieldCursor(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> _text = text;
    private int _at;

    public readonly bool AtEnd => _at >= _text.Length;

    private readonly char Next => _at < _text.Length ? _text[_at] : '\0';

    public StructuredFieldCursor SkipSpaces()
    {
        while (!AtEnd && _text[_at] == ' ')
        {
            _at++;
        }

        return this;
    }

    public bool Take(char expected)
    {
        if (Next != expected || AtEnd)
        {
            return false;
        }

        _at++;
        return true;
    }

    /// <summary>After a list or dictionary member: OWS, then the end (no more) or a comma, OWS and another member.</summary>
    public bool TryMemberSeparator(out bool more)
    {
        SkipWhitespace();
        more = false;
        if (AtEnd)
        {
            return true;
        }

        if (!Take(','))
        {
            return false;
        }

        SkipWhitespace();

        // A trailing comma is an error.
        more = !AtEnd;
        return more;
    }

    public bool TryMember(out StructuredMember member)
    {
        if (Next == '(')
        {
            if (TryInnerList(out IReadOnlyList<StructuredItem> items) && TryParameters(out IReadOnlyList<KeyValuePair<string, StructuredValue>> parameters))
            {
                member = StructuredMember.ForInnerList(items, parameters);
                return true;
            }
        }
        else if (TryItem(out StructuredItem item))
        {
            member = StructuredMember.ForItem(item);
            return true;
        }

        member = null!;
        return false;
    }

    public bool TryItem(out StructuredItem item)
    {
        if (TryBareItem(out StructuredValue value) && TryParameters(out IReadOnlyList<KeyValuePair<string, StructuredValue>> parameters))
        {
            item = new StructuredItem(value, parameters);
            return true;
        }

        item = null!;
        return false;
    }

    public bool TryParameters(out IReadOnlyList<KeyValuePair<string, StructuredValue>> parameters)
    {
        parameters = StructuredItem.NoParameters;
        List<KeyValuePair<string, StructuredValue>>? found = null;
        while (Take(';'))
        {
            SkipSpaces();
            if (!TryKey(out string key))
            {
                return false;
            }

            StructuredValue value = StructuredValue.FromBoolean(true);
            if (Take('=') && !TryBareItem(out value))
            {
                return false;
            }

            StructuredFieldParser.Put(found ??= [], key, value);
        }

        if (found is not null)
        {
            parameters = found;
        }

        return true;
    }

    public bool TryKey(out string key)
    {
        key = "";
        int start = _at;
        if (!(char.IsAsciiLetterLower(Next) || Next == '*'))
        {
            return false;
        }

        _at++;
        while (!AtEnd && (char.IsAsciiLetterLower(Next) || char.IsAsciiDigit(Next) || Next is '_' or '-' or '.' or '*'))
        {
            _at++;
        }

        key = _text[start.._at].ToString();
        return true;
    }

    private bool TryInnerList(out IReadOnlyList<StructuredItem> items)
    {
        var found = new List<StructuredItem>();
        items = found;
        _at++; // (
        while (true)
        {
            SkipSpaces();
            if (Take(')'))
            {
                return true;
            }

            if (!TryItem(out StructuredItem item))
            {
                return false;
            }

            found.Add(item);

            // Items are separated by at least one space, or followed by the closing parenthesis.
            if (Next is not (' ' or ')') || AtEnd)
            {
                return false;
            }
        }
    }

    private void SkipWhitespace()
    {
        while (!AtEnd && Next is ' ' or '\t')
        {
            _at++;
        }
    }
}
