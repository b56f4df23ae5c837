namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Classifies the request target (RFC 9112 §3.2) and splits it into path and query. The request line
/// parser has already limited it to visible ASCII.
/// </summary>
internal static class RequestTargetParser
{
    /// <summary>
    /// Sets <see cref="HttpRequestHead.TargetForm"/>, <see cref="HttpRequestHead.Path"/> and
    /// <see cref="HttpRequestHead.Query"/>, and for absolute-form also <see cref="HttpRequestHead.Host"/>.
    /// Throws 400 for authority-form (only CONNECT uses it, and CONNECT is not implemented), for other
    /// schemes and for anything that is no target at all.
    /// </summary>
    /// <param name="head">The head whose target is classified.</param>
    /// <param name="previous">The previous request's strings: the same target string means the same path and query.</param>
    public static void Apply(HttpRequestHead head, PreviousRequestStrings? previous = null)
    {
        string target = head.Target;
        if (target[0] == '/' && previous is not null && ReferenceEquals(target, previous.Target) && previous.Path is not null)
        {
            // The previous request's origin-form target, which passed every check below.
            head.TargetForm = TargetForm.Origin;
            head.Path = previous.Path;
            head.Query = previous.Query;
            return;
        }

        // A fragment is never sent (RFC 9112 §3.2): one here means a confused or malicious client.
        if (target.Contains('#', StringComparison.Ordinal))
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidTarget);
        }

        if (target[0] == '/')
        {
            head.TargetForm = TargetForm.Origin;
            SetPathAndQuery(head, target, pathStart: 1);
        }
        else if (target == "*")
        {
            if (head.Method != KnownMethods.Options)
            {
                HttpParseErrors.BadRequest(HttpParseErrors.InvalidTarget);
            }

            head.TargetForm = TargetForm.Asterisk;
            head.Path = null;
            head.Query = null;
        }
        else
        {
            ApplyAbsoluteForm(head, target);
        }
    }

    private static void ApplyAbsoluteForm(HttpRequestHead head, string target)
    {
        int authorityStart;
        if (target.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            authorityStart = "http://".Length;
        }
        else if (target.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            authorityStart = "https://".Length;
        }
        else
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidTarget);
            return;
        }

        int authorityLength = target.AsSpan(authorityStart).IndexOfAny('/', '?');
        if (authorityLength < 0)
        {
            authorityLength = target.Length - authorityStart;
        }

        // Userinfo ('@') in an http(s) URI is to be treated as an error (RFC 9110 §4.2.4), and an empty
        // host is invalid (§4.2.1); both fail the host grammar.
        ReadOnlySpan<char> authority = target.AsSpan(authorityStart, authorityLength);
        if (!HostSyntax.IsValid(authority, allowEmpty: false))
        {
            HttpParseErrors.BadRequest(HttpParseErrors.InvalidTarget);
        }

        head.TargetForm = TargetForm.Absolute;
        head.Host = authority.ToString();

        // path-abempty: "http://host" and "http://host?q" mean the path "/" (RFC 9112 §3.2.1).
        int pathStart = authorityStart + authorityLength;
        if (pathStart < target.Length && target[pathStart] == '/')
        {
            pathStart++;
        }

        SetPathAndQuery(head, target, pathStart);
    }

    private static void SetPathAndQuery(HttpRequestHead head, string target, int pathStart)
    {
        ThrowIfBadPercentEncoding(target.AsSpan(pathStart));
        int queryStart = target.IndexOf('?', pathStart);
        if (queryStart < 0)
        {
            head.Path = pathStart == target.Length ? string.Empty : target[pathStart..];
            head.Query = string.Empty;
        }
        else
        {
            head.Path = queryStart == pathStart ? string.Empty : target[pathStart..queryStart];
            head.Query = target[queryStart..];
        }
    }

    /// <summary>
    /// Every <c>%</c> in the path and in the query must start a <c>pct-encoded</c> triplet, <c>%</c> and two
    /// hex digits (RFC 3986 §2.1, the grammar of both components). A stray one means the client did not
    /// encode the target, or it was mangled on the way, so neither the handler's decoding nor a lookup could
    /// be trusted with it: 400, rather than a 404 or a silently different parameter.
    /// </summary>
    private static void ThrowIfBadPercentEncoding(ReadOnlySpan<char> pathAndQuery)
    {
        int percent;
        while ((percent = pathAndQuery.IndexOf('%')) >= 0)
        {
            if (percent + 2 >= pathAndQuery.Length
                || !char.IsAsciiHexDigit(pathAndQuery[percent + 1]) || !char.IsAsciiHexDigit(pathAndQuery[percent + 2]))
            {
                HttpParseErrors.BadRequest(HttpParseErrors.InvalidPercentEncoding);
            }

            pathAndQuery = pathAndQuery[(percent + 3)..];
        }
    }
}
