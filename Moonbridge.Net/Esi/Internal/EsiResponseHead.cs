namespace Moonbridge.Net.Esi.Internal;

/// <summary>What a script's header section asks for: a status, header fields, or an internal redirect.</summary>
internal sealed class EsiResponseHead
{
    /// <summary>The head of a first chunk without a header section: 200 and no fields.</summary>
    public static EsiResponseHead Default { get; } = new() { StatusCode = 200, Status = "200 OK", Headers = [] };

    public required int StatusCode { get; init; }

    /// <summary>The status line's code and reason, e.g. <c>"201 Created"</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Header fields to send, validated, in the script's order.</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>An absolute path from a relative <c>Location</c>: serve that instead (mod_esi's <c>{proceed, AbsPath}</c>).</summary>
    public string? InternalRedirect { get; init; }

    /// <summary>The script set <c>Cache-Control</c> itself, so <see cref="EsiOptions.NoCache"/> leaves it alone.</summary>
    public bool HasCacheControl { get; init; }

    /// <summary>The script set <c>Transfer-Encoding</c>, which was dropped: framing is the server's.</summary>
    public bool DroppedFraming { get; init; }

    /// <summary>No body may follow this status (RFC 9110 §15.3.5, §15.3.6, §15.4.5).</summary>
    public bool IsBodyless => StatusCode is 204 or 205 or 304;
}
