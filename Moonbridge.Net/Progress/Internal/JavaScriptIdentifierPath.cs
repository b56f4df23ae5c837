namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// Recognises a dotted path of ASCII JavaScript identifiers (<c>a</c>, <c>a.b</c>, <c>$x._y1</c>): the only
/// callback names a JSONP response may echo, since anything else could end the call and run code. Parts that
/// name a way to run a string as code, to navigate, or to reach the page (<c>eval</c>, <c>Function</c>,
/// <c>constructor</c>, <c>location</c>, <c>document</c>, ...) are refused too: called with the progress
/// object they would be a gadget for whoever chose the name, and no real callback needs them.
/// </summary>
internal static class JavaScriptIdentifierPath
{
    public static bool IsValid(ReadOnlySpan<char> path, int maxLength)
    {
        if (path.IsEmpty || path.Length > maxLength)
        {
            return false;
        }

        int partStart = 0;
        for (int i = 0; i <= path.Length; i++)
        {
            if (i < path.Length && path[i] != '.')
            {
                char c = path[i];
                if (!(IsIdentifierStart(c) || (i > partStart && char.IsAsciiDigit(c))))
                {
                    return false;
                }

                continue;
            }

            // An empty part (leading, doubled or trailing dot) is not an identifier.
            ReadOnlySpan<char> part = path[partStart..i];
            if (part.IsEmpty || IsForbidden(part))
            {
                return false;
            }

            partStart = i + 1;
        }

        return true;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or '$';

    // JavaScript names are case-sensitive, so these are compared exactly.
    private static bool IsForbidden(ReadOnlySpan<char> part) => part switch
    {
        "eval" or "Function" or "constructor" or "prototype" or "__proto__"
            or "__defineGetter__" or "__defineSetter__" or "__lookupGetter__" or "__lookupSetter__"
            or "setTimeout" or "setInterval" or "setImmediate" or "execScript" or "importScripts" or "import"
            or "location" or "document" or "open" or "navigate" or "postMessage" or "Reflect" => true,
        _ => false,
    };
}
