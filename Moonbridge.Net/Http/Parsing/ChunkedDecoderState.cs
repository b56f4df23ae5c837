namespace Moonbridge.Net.Http.Parsing;

/// <summary>Where <see cref="ChunkedBodyDecoder"/> is within <c>chunked-body</c> (RFC 9112 §7.1).</summary>
internal enum ChunkedDecoderState
{
    /// <summary>Expecting <c>chunk-size [ chunk-ext ] CRLF</c>.</summary>
    SizeLine,

    /// <summary>Inside <c>chunk-data</c>.</summary>
    Data,

    /// <summary>Expecting the CRLF after <c>chunk-data</c>.</summary>
    DataEnd,

    /// <summary>After <c>last-chunk</c>: trailer field lines up to the final empty line.</summary>
    Trailer,

    Complete,
}
