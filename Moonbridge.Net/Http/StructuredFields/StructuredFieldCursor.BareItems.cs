using System.Globalization;
using System.Text;

namespace Moonbridge.Net.Http.StructuredFields;

/// <summary>The eight bare item types (RFC 9651 §4.2.3.1 to §4.2.10).</summary>
internal ref partial struct StructuredFieldCursor
{
    private bool TryBareItem(out StructuredValue value)
    {
        value = default;
        char first = Next;
        if (AtEnd)
        {
            return false;
        }

        if (first == '-' || char.IsAsciiDigit(first))
        {
            return TryNumber(out value);
        }

        switch (first)
        {
            case '"':
                return TryString(out value);
            case ':':
                return TryBytes(out value);
            case '?':
                return TryBoolean(out value);
            case '@':
                _at++;
                if (TryNumber(out StructuredValue seconds) && seconds.Type == StructuredValueType.Integer)
                {
                    value = StructuredValue.FromDate(seconds.Integer);
                    return true;
                }

                return false;
            case '%':
                return TryDisplayString(out value);
        }

        return (char.IsAsciiLetter(first) || first == '*') && TryToken(out value);
    }

    private bool TryNumber(out StructuredValue value)
    {
        value = default;
        bool negative = Take('-');
        int start = _at;
        int point = -1;
        while (!AtEnd && (char.IsAsciiDigit(Next) || (Next == '.' && point < 0)))
        {
            if (Next == '.')
            {
                if (_at - start > StructuredFieldLimits.MaxDecimalIntegerDigits)
                {
                    return false;
                }

                point = _at;
            }

            _at++;
            if (point < 0 && _at - start > StructuredFieldLimits.MaxIntegerDigits)
            {
                return false;
            }
        }

        ReadOnlySpan<char> digits = _text[start.._at];
        if (digits.IsEmpty || !char.IsAsciiDigit(digits[0]))
        {
            return false;
        }

        if (point < 0)
        {
            long number = long.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
            value = StructuredValue.FromInteger(negative ? -number : number);
            return true;
        }

        int fraction = _at - point - 1;
        if (fraction is < 1 or > StructuredFieldLimits.MaxDecimalFractionDigits)
        {
            return false;
        }

        decimal parsed = decimal.Parse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        value = StructuredValue.FromDecimal(negative ? -parsed : parsed);
        return true;
    }

    private bool TryString(out StructuredValue value)
    {
        value = default;
        _at++; // "
        var text = new StringBuilder();
        while (!AtEnd)
        {
            char c = _text[_at++];
            if (c == '\\')
            {
                if (AtEnd || Next is not ('"' or '\\'))
                {
                    return false;
                }

                text.Append(_text[_at++]);
            }
            else if (c == '"')
            {
                value = StructuredValue.FromString(text.ToString());
                return true;
            }
            else if (c is < ' ' or > '~')
            {
                return false;
            }
            else
            {
                text.Append(c);
            }
        }

        return false;
    }

    private bool TryToken(out StructuredValue value)
    {
        int start = _at++;
        while (!AtEnd && (IsTokenChar(Next) || Next is ':' or '/'))
        {
            _at++;
        }

        value = StructuredValue.FromToken(_text[start.._at].ToString());
        return true;
    }

    private bool TryBytes(out StructuredValue value)
    {
        value = default;
        int start = ++_at;
        while (!AtEnd && Next != ':')
        {
            if (!(char.IsAsciiLetterOrDigit(Next) || Next is '+' or '/' or '='))
            {
                return false;
            }

            _at++;
        }

        if (!Take(':'))
        {
            return false;
        }

        ReadOnlySpan<char> base64 = _text[start..(_at - 1)];
        byte[] decoded = new byte[((base64.Length + 3) / 4) * 3];
        if (!Convert.TryFromBase64Chars(base64, decoded, out int written))
        {
            return false;
        }

        value = StructuredValue.FromBytes(decoded[..written]);
        return true;
    }

    private bool TryBoolean(out StructuredValue value)
    {
        value = default;
        _at++; // ?
        if (Next is not ('0' or '1') || AtEnd)
        {
            return false;
        }

        value = StructuredValue.FromBoolean(_text[_at++] == '1');
        return true;
    }

    private bool TryDisplayString(out StructuredValue value)
    {
        value = default;
        _at++; // %
        if (!Take('"'))
        {
            return false;
        }

        var bytes = new List<byte>();
        while (!AtEnd)
        {
            char c = _text[_at++];
            if (c is < ' ' or > '~')
            {
                return false;
            }

            if (c == '"')
            {
                try
                {
                    value = StructuredValue.FromDisplayString(new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes.ToArray()));
                    return true;
                }
                catch (DecoderFallbackException)
                {
                    return false;
                }
            }

            if (c != '%')
            {
                bytes.Add((byte)c);
                continue;
            }

            // Lowercase hex only.
            if (_at + 2 > _text.Length || !IsLowerHex(_text[_at]) || !IsLowerHex(_text[_at + 1]))
            {
                return false;
            }

            bytes.Add((byte)((HexValue(_text[_at]) << 4) | HexValue(_text[_at + 1])));
            _at += 2;
        }

        return false;
    }

    private static bool IsLowerHex(char c) => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f';

    private static int HexValue(char c) => c <= '9' ? c - '0' : c - 'a' + 10;

    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
