namespace Moonbridge.Net.Http.Parsing;

/// <summary><c>method SP request-target SP HTTP-version CRLF</c> (RFC 9112 §3): the request line's grammar.</summary>
internal static class RequestLineParser
{
    private const int VersionLength = 8;

    /// <summary>
    /// Reads the request line at the start of <paramref name="bytes"/>, checking each part in the scan that
    /// finds its end. <see cref="HeadVerdict.Read"/> when the line is sound and ends with CRLF within the
    /// bytes; <paramref name="lineLength"/> then includes the CRLF. Never throws.
    /// </summary>
    public static HeadVerdict TryRead(
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

        // A single SP ends the method and the target: any other byte there (a second SP, HTAB, CR, a control
        // character) is not a token or target character, so strictness needs no separate whitespace rule.
        int methodEnd = bytes.IndexOfAnyExcept(HttpCharacters.TokenChars);
        if (methodEnd <= 0 || bytes[methodEnd] != (byte)' ')
        {
            return HeadVerdict.InvalidRequestLine;
        }

        int targetStart = methodEnd + 1;
        int targetLength = bytes[targetStart..].IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E);
        if (targetLength <= 0 || bytes[targetStart + targetLength] != (byte)' ')
        {
            return HeadVerdict.InvalidRequestLine;
        }

        int versionStart = targetStart + targetLength + 1;
        if (bytes.Length - versionStart < VersionLength + HeadLineEnd.Length)
        {
            return HeadVerdict.InvalidRequestLine;
        }

        // The version and the CRLF after it compare as one 10-byte literal first: 1.1 and 1.0 are nearly all.
        ReadOnlySpan<byte> versionAndEnd = bytes.Slice(versionStart, VersionLength + HeadLineEnd.Length);
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
            // Anything but CRLF after eight bytes means a version of another length, or none: not a version.
            HeadVerdict verdict = HeadLineEnd.IsAt(versionAndEnd, VersionLength)
                ? ReadVersion(versionAndEnd[..VersionLength], out version)
                : HeadVerdict.InvalidRequestLine;
            if (verdict != HeadVerdict.Read)
            {
                return verdict;
            }
        }

        method = bytes[..methodEnd];
        target = bytes.Slice(targetStart, targetLength);
        lineLength = versionStart + VersionLength + HeadLineEnd.Length;
        return HeadVerdict.Read;
    }

    /// <summary>
    /// <c>HTTP/DIGIT.DIGIT</c>, case-sensitive (RFC 9112 §2.3). A later minor version of HTTP/1 is served as
    /// HTTP/1.1, the highest this server conforms to (RFC 9110 §2.5: minor versions are compatible); another
    /// major version is answered with 505; anything else is not an HTTP version at all, so 400.
    /// </summary>
    private static HeadVerdict ReadVersion(ReadOnlySpan<byte> text, out HttpVersion version)
    {
        version = default;
        if (!text.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)text[5]) || text[6] != (byte)'.' || !char.IsAsciiDigit((char)text[7]))
        {
            return HeadVerdict.InvalidRequestLine;
        }

        if (text[5] != (byte)'1')
        {
            return HeadVerdict.VersionNotSupported;
        }

        version = text[7] == (byte)'0' ? HttpVersion.Http10 : HttpVersion.Http11;
        return HeadVerdict.Read;
    }
}
