namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// IPv6address of RFC 3986 §3.2.2: eight 16-bit pieces of 1–4 hex digits, at most one "::" standing for
/// one or more zero pieces, and optionally an IPv4 address as the last two pieces. No zone identifier.
/// </summary>
internal static class Ipv6Syntax
{
    private const int PieceCount = 8;

    public static bool IsValid(ReadOnlySpan<char> address)
    {
        int pieces = 0;
        bool hasElision = false;
        int index = 0;
        if (address.StartsWith("::"))
        {
            hasElision = true;
            index = 2;
        }

        while (index < address.Length)
        {
            int start = index;
            while (index < address.Length && char.IsAsciiHexDigit(address[index]))
            {
                index++;
            }

            if (index < address.Length && address[index] == '.')
            {
                // The dotted IPv4 tail ends the address and fills two pieces.
                if (!IsValidIpv4(address[start..]))
                {
                    return false;
                }

                pieces += 2;
                break;
            }

            int digits = index - start;
            if (digits is 0 or > 4)
            {
                return false;
            }

            pieces++;
            if (index == address.Length)
            {
                break;
            }

            if (address[index] != ':' || ++index == address.Length)
            {
                // Only ':' separates pieces, and a single ':' cannot end the address.
                return false;
            }

            if (address[index] == ':')
            {
                if (hasElision)
                {
                    return false;
                }

                hasElision = true;
                index++;
            }
        }

        return hasElision ? pieces < PieceCount : pieces == PieceCount;
    }

    /// <summary>Four dec-octets (0–255, no leading zeros) separated by dots.</summary>
    private static bool IsValidIpv4(ReadOnlySpan<char> address)
    {
        int octets = 0;
        foreach (Range part in address.Split('.'))
        {
            ReadOnlySpan<char> octet = address[part];
            if (octet.IsEmpty || octet.Length > 3 || (octet.Length > 1 && octet[0] == '0')
                || octet.ContainsAnyExceptInRange('0', '9') || DecimalValue(octet) > 255)
            {
                return false;
            }

            octets++;
        }

        return octets == 4;
    }

    private static int DecimalValue(ReadOnlySpan<char> digits)
    {
        int value = 0;
        foreach (char digit in digits)
        {
            value = (value * 10) + (digit - '0');
        }

        return value;
    }
}
