using System.Text;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>How the body of a <see cref="RawHttpResponse"/> was delimited.</summary>
internal enum BodyFraming
{
    /// <summary>No body: 1xx, 204, 304, or a response to HEAD.</summary>
    None,

    /// <summary>A <c>Content-Length</c> header.</summary>
    ContentLength,

    /// <summary><c>Transfer-Encoding: chunked</c>.</summary>
    Chunked,

    /// <summary>The end of the connection.</summary>
    UntilClose,
}

/// <summary>One response as it came off the wire: status line, header fields in order, framing and body.</summary>
internal sealed class RawHttpResponse
{
    public required string Version { get; init; }

    public required int StatusCode { get; init; }

    /// <summary>The status line after the version, e.g. <c>"200 OK"</c>.</summary>
    public required string Status { get; init; }

    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    public required BodyFraming Framing { get; init; }

    public required byte[] Body { get; init; }

    /// <summary>The size of every chunk, the final zero-size chunk included; empty unless chunked.</summary>
    public required IReadOnlyList<int> ChunkSizes { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Trailers { get; init; } = [];

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The first value of a header, or null.</summary>
    public string? Header(string name)
        => Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    /// <summary>Every value of a header, in order.</summary>
    public IReadOnlyList<string> HeaderValues(string name)
        => [.. Headers.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value)];

    /// <summary>The header names, in order.</summary>
    public IReadOnlyList<string> HeaderNames => [.. Headers.Select(h => h.Key)];

    public override string ToString() => $"{Version} {Status} ({Framing}, {Body.Length} bytes)";
}
