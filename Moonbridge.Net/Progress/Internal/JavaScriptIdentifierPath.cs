namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// Recognises a dotted path of ASCII JavaScript identifiers (<c>a</c>, <c>a.b</c>, <c>$x._y1</c>): the only
/// callback names a JSONP response may echo, since anything else could end the call and run code.
/// </summary>
internal static class JavaScriptIdentifierPath
{
    public static bool IsValid(ReadOnlySpan<char> path, int maxLength)
    {
        if (path.IsEmpty || path.Length > maxLength)
        {
            return false;
        }

        bool atPartStart = true;
        foreach (char c in path)
        {
            if (c == '.')
            {
                // An empty part (leading, doubled or trailing dot) is not an identifier.
                if (atPartStart)
                {
                    return false;
                }

                atPartStart = true;
            }
            else if (IsIdentifierStart(c) || (!atPartStart && char.IsAsciiDigit(c)))
            {
                atPartStart = false;
            }
            else
            {
                return false;
            }
        }

        return !atPartStart;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or '$';
}
