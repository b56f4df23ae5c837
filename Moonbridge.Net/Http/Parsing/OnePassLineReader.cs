namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Reads one line of a head that lies in a single span, finding its CRLF and checking its grammar in the
/// same scan: the scans that check the method, the target, the field name and the value each stop at the
/// first byte they do not allow, and the CR that ends the line is such a byte. It only recognises lines
/// that are plainly valid and complete and never throws; for anything else (an error, a line that goes on
/// past the span, an unusual form) it answers false and the caller falls back to
/// <see cref="RequestHeadScanner"/>, which decides errors and their status codes as it always does.
/// </summary>
internal static class OnePassLineReader
{
    private const int VersionLength = 8;

    /// <summary>
    /// The request line at the start of <paramref name="bytes"/>: <c>token SP visible-ASCII SP HTTP/1.x CRLF</c>.
    /// <paramref name="lineLength"/> includes the CRLF.
    /// </summary>
    public static bool TryReadRequestLine(
        ReadOnlySpan<byte> bytes,
        out ReadOnlySpan<byte> method,
        out ReadOnlySpan<byte> target,
        out HttpVersion version,
        out int lineLength)
    {
        method = default;
        target = default;
        version = default;
        lineLength = 0;

        // A single SP ends the method and the target; any other stop (CR, LF, a control byte) is not the plain case.
        int methodEnd = bytes.IndexOfAnyExcept(HttpCharacters.TokenChars);
        if (methodEnd <= 0 || bytes[methodEnd] != (byte)' ')
        {
            return false;
        }

        int targetStart = methodEnd + 1;
        int targetLength = bytes[targetStart..].IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E);
        if (targetLength <= 0 || bytes[targetStart + targetLength] != (byte)' ')
        {
            return false;
        }

        int versionStart = targetStart + targetLength + 1;
        if (bytes.Length - versionStart < VersionLength + 2)
        {
            return false;
        }

        // The version and the CRLF after it compare as one 10-byte literal; 1.1 is by far the most common.
        ReadOnlySpan<byte> versionAndEnd = bytes.Slice(versionStart, VersionLength + 2);
        if (versionAndEnd.SequenceEqual("HTTP/1.1\r\n"u8))
        {
            version = HttpVersion.Http11;
        }
        else if (versionAndEnd.SequenceEqual("HTTP/1.0\r\n"u8))
        {
            version = HttpVersion.Http10;
        }
        else
        {
            return false;
        }

        method = bytes[..methodEnd];
        target = bytes.Slice(targetStart, targetLength);
        lineLength = versionStart + VersionLength + 2;
        return true;
    }

    /// <summary>
    /// The field line at the start of <paramref name="bytes"/>: a token, a colon, the value between optional
    /// whitespace, CRLF (RFC 9112 §5). <paramref name="value"/> is without the whitespace around it, as
    /// <see cref="FieldLineParser"/> gives it; <paramref name="lineLength"/> includes the CRLF.
    /// </summary>
    public static bool TryReadFieldLine(
        ReadOnlySpan<byte> bytes,
        out ReadOnlySpan<byte> name,
        out ReadOnlySpan<byte> value,
        out int lineLength)
    {
        name = default;
        value = default;
        lineLength = 0;

        // The name scan stops at the colon; whitespace before it, obs-fold or any non-tchar stop it elsewhere.
        int colon = bytes.IndexOfAnyExcept(HttpCharacters.TokenChars);
        if (colon <= 0 || bytes[colon] != (byte)':')
        {
            return false;
        }

        int valueStart = colon + 1;
        while (valueStart < bytes.Length && IsWhitespace(bytes[valueStart]))
        {
            valueStart++;
        }

        // Printable ASCII is a range test; only an HTAB or obs-text in the value needs the full set, whose
        // scan then stops at the CR too (CR is no field-value byte).
        ReadOnlySpan<byte> rest = bytes[valueStart..];
        int end = rest.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);
        if (end >= 0 && rest[end] != (byte)'\r')
        {
            int more = rest[end..].IndexOfAnyExcept(HttpCharacters.FieldValueChars);
            end = more < 0 ? -1 : end + more;
        }

        // The line must end right here with CRLF: a bare CR, a bare LF, a control byte or the end of the
        // span are left to the fallback.
        if (end < 0 || rest[end] != (byte)'\r' || end + 1 >= rest.Length || rest[end + 1] != (byte)'\n')
        {
            return false;
        }

        int valueEnd = end;
        while (valueEnd > 0 && IsWhitespace(rest[valueEnd - 1]))
        {
            valueEnd--;
        }

        name = bytes[..colon];
        value = rest[..valueEnd];
        lineLength = valueStart + end + 2;
        return true;
    }

    private static bool IsWhitespace(byte value) => value is (byte)' ' or (byte)'\t';
}
