namespace Moonbridge.Net.Http.Parsing;

/// <summary>Content-Length values (RFC 9110 §8.6, RFC 9112 §6.3).</summary>
internal static class ContentLengthParser
{
    /// <summary>
    /// Folds one field value into <paramref name="length"/> (-1 while none was seen). Every list element
    /// must be 1*DIGIT and all must be equal: a sign, inner whitespace, an empty element or a second
    /// different length would let two parties frame the body differently. False when that fails or the
    /// number does not fit a long.
    /// </summary>
    public static bool TryAccumulate(ReadOnlySpan<byte> value, ref long length)
    {
        var elements = new CommaSeparatedList(value);
        while (elements.TryReadNext(out ReadOnlySpan<byte> element))
        {
            if (!TryParseDigits(element, out long parsed) || (length >= 0 && parsed != length))
            {
                return false;
            }

            length = parsed;
        }

        return true;
    }

    private static bool TryParseDigits(ReadOnlySpan<byte> digits, out long value)
    {
        value = 0;
        if (digits.IsEmpty)
        {
            return false;
        }

        foreach (byte digit in digits)
        {
            int digitValue = digit - '0';
            if ((uint)digitValue > 9 || value > (long.MaxValue - digitValue) / 10)
            {
                return false;
            }

            value = (value * 10) + digitValue;
        }

        return true;
    }
}
