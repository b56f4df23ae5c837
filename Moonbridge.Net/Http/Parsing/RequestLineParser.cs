using System.Text;

namespace Moonbridge.Net.Http.Parsing;

/// <summary><c>method SP request-target SP HTTP-version</c> (RFC 9112 §3), without its CRLF.</summary>
internal static class RequestLineParser
{
    /// <param name="line">The request line without its CRLF.</param>
    /// <param name="head">Receives method, target and version.</param>
    /// <param name="previous">The previous request's strings on the connection, to reuse an unchanged target; null for none.</param>
    public static void Parse(ReadOnlySpan<byte> line, HttpRequestHead head, PreviousRequestStrings? previous = null)
    {
        // A single SP ends the method and the target: any other byte there (a second SP, HTAB, a control
        // character) is not a token or target character, so strictness needs no separate whitespace rule.
        int methodEnd = line.IndexOfAnyExcept(HttpCharacters.TokenChars);
        if (methodEnd <= 0 || line[methodEnd] != (byte)' ')
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidRequestLine);
        }

        ReadOnlySpan<byte> afterMethod = line[(methodEnd + 1)..];
        int targetEnd = afterMethod.IndexOfAnyExceptInRange((byte)0x21, (byte)0x7E);
        if (targetEnd <= 0 || afterMethod[targetEnd] != (byte)' ')
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidRequestLine);
        }

        head.Version = ParseVersion(afterMethod[(targetEnd + 1)..]);
        head.Method = KnownMethods.GetString(line[..methodEnd]);
        ReadOnlySpan<byte> target = afterMethod[..targetEnd];
        head.Target = previous is null ? Encoding.ASCII.GetString(target) : previous.GetTarget(target);
    }

    /// <summary>
    /// <c>HTTP/DIGIT.DIGIT</c>, case-sensitive (RFC 9112 §2.3). A later minor version of HTTP/1 is served as
    /// HTTP/1.1, the highest this server conforms to (RFC 9110 §2.5: minor versions are compatible); another
    /// major version is answered with 505; anything else is not an HTTP version at all, so 400.
    /// </summary>
    private static HttpVersion ParseVersion(ReadOnlySpan<byte> version)
    {
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || !char.IsAsciiDigit((char)version[5])
            || version[6] != (byte)'.' || !char.IsAsciiDigit((char)version[7]))
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidRequestLine);
        }

        if (version[5] == (byte)'1')
        {
            return version[7] == (byte)'0' ? HttpVersion.Http10 : HttpVersion.Http11;
        }

        HttpParseErrors.Throw(505, HttpParseErrors.VersionNotSupported);
        return default;
    }
}
