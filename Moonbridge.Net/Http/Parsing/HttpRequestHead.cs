namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// A parsed and validated request head. One instance is reused for every request on a connection
/// (<see cref="Reset"/>), so the parser fills it rather than creating it.
/// </summary>
internal sealed class HttpRequestHead
{
    /// <summary>The method token as sent (case-sensitive), e.g. <c>GET</c>.</summary>
    public string Method { get; set; } = string.Empty;

    /// <summary>The request target exactly as sent.</summary>
    public string Target { get; set; } = string.Empty;

    public HttpVersion Version { get; set; }

    /// <summary>Header field lines in order: names as sent, values Latin-1 decoded with surrounding whitespace removed.</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public TargetForm TargetForm { get; set; }

    /// <summary>Path without its leading slash and without the query, not percent-decoded; null for <c>*</c>.</summary>
    public string? Path { get; set; }

    /// <summary>The query including its leading <c>?</c>, or empty; null for <c>*</c>.</summary>
    public string? Query { get; set; }

    /// <summary>The host: from an absolute-form target, else the Host header; empty when an HTTP/1.0 request has none.</summary>
    public string Host { get; set; } = string.Empty;

    public BodyFraming Framing { get; set; }

    /// <summary>The body length when <see cref="Framing"/> is <see cref="BodyFraming.ContentLength"/>.</summary>
    public long ContentLength { get; set; }

    /// <summary>The client sent <c>Expect: 100-continue</c>.</summary>
    public bool ExpectContinue { get; set; }

    /// <summary>
    /// Whether the connection may stay open after this exchange: HTTP/1.1 unless a <c>Connection: close</c>
    /// token; HTTP/1.0 only with a <c>Connection: keep-alive</c> token.
    /// </summary>
    public bool KeepAlive { get; set; }

    public void Reset()
    {
        Method = string.Empty;
        Target = string.Empty;
        Version = HttpVersion.Http11;
        Headers.Clear();
        TargetForm = TargetForm.Origin;
        Path = null;
        Query = null;
        Host = string.Empty;
        Framing = BodyFraming.None;
        ContentLength = 0;
        ExpectContinue = false;
        KeepAlive = false;
    }
}
