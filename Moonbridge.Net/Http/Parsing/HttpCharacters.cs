using System.Buffers;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>The character classes of RFC 9110 §5.6 and RFC 9112, as vectorizable byte sets.</summary>
internal static class HttpCharacters
{
    /// <summary>tchar (RFC 9110 §5.6.2): what methods, field names, codings and extension names consist of.</summary>
    public static readonly SearchValues<byte> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    /// <summary>The same token characters, for names handlers give as strings (response headers).</summary>
    public static readonly SearchValues<char> TokenCharsUtf16 =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>field-vchar, SP and HTAB: a field value may hold obs-text but no control character and no DEL.</summary>
    public static readonly SearchValues<byte> FieldValueChars = SearchValues.Create(CreateFieldValueChars());

    public static readonly SearchValues<byte> HexDigits = SearchValues.Create("0123456789ABCDEFabcdef"u8);

    public static ReadOnlySpan<byte> Whitespace => " \t"u8;

    public static bool IsToken(ReadOnlySpan<byte> text) => !text.IsEmpty && !text.ContainsAnyExcept(TokenChars);

    /// <summary>One byte of <see cref="FieldValueChars"/>, for byte-wise loops (no virtual call per byte).</summary>
    public static bool IsFieldValueByte(byte value) => value == (byte)'\t' || (value >= 0x20 && value != 0x7F);

    /// <summary>Removes OWS (RFC 9110 §5.6.3) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimWhitespace(ReadOnlySpan<byte> text) => text.Trim(Whitespace);

    /// <summary>The value of a hex digit the caller has already checked.</summary>
    public static int HexValue(byte digit) => digit <= '9' ? digit - '0' : (digit | 0x20) - 'a' + 10;

    private static byte[] CreateFieldValueChars()
    {
        var chars = new byte[1 + (0x7E - 0x20 + 1) + 0x80];
        int count = 0;
        chars[count++] = (byte)'\t';
        for (int value = 0x20; value <= 0xFF; value++)
        {
            if (value != 0x7F)
            {
                chars[count++] = (byte)value;
            }
        }

        return chars;
    }
}
