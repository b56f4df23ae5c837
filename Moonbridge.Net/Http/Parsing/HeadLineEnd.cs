namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// The one line ending a request head allows: CRLF (RFC 9112 §2.2, strictly). The line readers accept a line
/// only when it ends here, and stop at the first CR or LF anyway, as neither is a byte of any part of a line;
/// <see cref="RequestHeadScanner"/> rejects the others (bare LF, bare CR) as the head arrives. So a line the
/// readers accept is one the scanner lets through, and after the scanner every line ends as the readers expect.
/// </summary>
internal static class HeadLineEnd
{
    public const int Length = 2;

    /// <summary>Whether a CRLF starts at <paramref name="index"/> in <paramref name="bytes"/>.</summary>
    public static bool IsAt(ReadOnlySpan<byte> bytes, int index)
        => index >= 0 && index + 1 < bytes.Length && bytes[index] == (byte)'\r' && bytes[index + 1] == (byte)'\n';
}
