namespace Moonbridge.Net.Http.Parsing;

/// <summary>The bounds the parser enforces; taken from <c>HttpOptions</c>.</summary>
internal sealed record HttpParserLimits
{
    /// <summary>Request line plus header section, in bytes (431, or 414 while still in the request line).</summary>
    public int HeaderSizeLimit { get; init; } = 1024 * 1024;

    /// <summary>Request line alone, in bytes (414).</summary>
    public int RequestLineSizeLimit { get; init; } = 64 * 1024;

    /// <summary>Number of header field lines (431).</summary>
    public int HeaderCountLimit { get; init; } = 100;

    /// <summary>Request body including chunked framing, extensions and trailers (413).</summary>
    public long BodySizeLimit { get; init; } = 64L * 1024 * 1024;

    /// <summary>One chunk-size line including its extensions (400).</summary>
    public int ChunkLineSizeLimit { get; init; } = 4096;

    /// <summary>The whole trailer section (431).</summary>
    public int TrailerSizeLimit { get; init; } = 16 * 1024;

    /// <summary>Whether a request line of <paramref name="length"/> bytes, without its CRLF, is within <see cref="RequestLineSizeLimit"/>.</summary>
    public bool AllowsRequestLine(int length) => length <= RequestLineSizeLimit;

    /// <summary>Whether a head may hold <paramref name="count"/> field lines under <see cref="HeaderCountLimit"/>.</summary>
    public bool AllowsFieldLines(int count) => count <= HeaderCountLimit;
}
