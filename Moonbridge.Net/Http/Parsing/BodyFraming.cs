namespace Moonbridge.Net.Http.Parsing;

/// <summary>How the request body is delimited (RFC 9112 §6.3).</summary>
internal enum BodyFraming
{
    /// <summary>No body.</summary>
    None,

    /// <summary>Exactly <see cref="HttpRequestHead.ContentLength"/> bytes.</summary>
    ContentLength,

    /// <summary>Transfer-Encoding: chunked.</summary>
    Chunked,
}
