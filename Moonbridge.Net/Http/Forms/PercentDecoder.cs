using System.Buffers;
using System.Text;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Percent-decoding on chars and on bytes. Decoded bytes are read as UTF-8 (invalid sequences become U+FFFD);
/// a <c>%</c> without two hex digits after it stays literal, as browsers and the original do.
/// </summary>
internal static class PercentDecoder
{
    /// <summary>Decodes text; literal non-ASCII chars are kept (taken as their UTF-8 bytes).</summary>
    public static string Decode(ReadOnlySpan<char> text, bool plusAsSpace)
    {
        if (text.IsEmpty)
        {
            return string.Empty;
        }

        // A literal char takes at most 3 UTF-8 bytes (a surrogate pair: 4 bytes for 2 chars), and a %XX
        // sequence shrinks to one byte, so 3 bytes per char always suffice.
        int capacity = checked(text.Length * 3);
        byte[]? rented = null;
        Span<byte> bytes = capacity <= 384 ? stackalloc byte[384] : (rented = ArrayPool<byte>.Shared.Rent(capacity));
        try
        {
            int length = DecodeToBytes(text, plusAsSpace, bytes);
            return Encoding.UTF8.GetString(bytes[..length]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Decodes bytes in place (the result is never longer) and reads them as UTF-8.</summary>
    public static string DecodeUtf8InPlace(Span<byte> bytes, bool plusAsSpace)
    {
        int length = DecodeInPlace(bytes, plusAsSpace);
        return length == 0 ? string.Empty : Encoding.UTF8.GetString(bytes[..length]);
    }

    /// <summary>Decodes bytes in place and returns the decoded length.</summary>
    public static int DecodeInPlace(Span<byte> bytes, bool plusAsSpace)
    {
        int read = plusAsSpace ? bytes.IndexOfAny((byte)'%', (byte)'+') : bytes.IndexOf((byte)'%');
        if (read < 0)
        {
            return bytes.Length;
        }

        int write = read;
        while (read < bytes.Length)
        {
            byte b = bytes[read];
            if (b == '+' && plusAsSpace)
            {
                bytes[write++] = (byte)' ';
                read++;
            }
            else if (b == '%' && read + 2 < bytes.Length && TryHexPair(bytes[read + 1], bytes[read + 2], out byte decoded))
            {
                bytes[write++] = decoded;
                read += 3;
            }
            else
            {
                bytes[write++] = b;
                read++;
            }
        }

        return write;
    }

    private static int DecodeToBytes(ReadOnlySpan<char> text, bool plusAsSpace, Span<byte> destination)
    {
        int written = 0;
        while (!text.IsEmpty)
        {
            int special = plusAsSpace ? text.IndexOfAny('%', '+') : text.IndexOf('%');
            ReadOnlySpan<char> literal = special < 0 ? text : text[..special];

            // Runs end only at ASCII '%' or '+', so a surrogate pair is never cut in half here.
            written += Encoding.UTF8.GetBytes(literal, destination[written..]);
            if (special < 0)
            {
                break;
            }

            char c = text[special];
            if (c == '+')
            {
                destination[written++] = (byte)' ';
                text = text[(special + 1)..];
            }
            else if (special + 2 < text.Length && IsAscii(text[special + 1], text[special + 2])
                && TryHexPair((byte)text[special + 1], (byte)text[special + 2], out byte decoded))
            {
                destination[written++] = decoded;
                text = text[(special + 3)..];
            }
            else
            {
                destination[written++] = (byte)'%';
                text = text[(special + 1)..];
            }
        }

        return written;
    }

    private static bool IsAscii(char a, char b) => (a | b) < 0x80;

    private static bool TryHexPair(byte high, byte low, out byte value)
    {
        int h = HexValue(high);
        int l = HexValue(low);
        value = (byte)((h << 4) | l);
        return (h | l) >= 0;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        _ => -1,
    };
}
