using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>
/// Everything a parsed head exposes, as a value that compares by content. The defaults are those of a
/// minimal HTTP/1.1 GET in origin-form; vectors state what differs. Header lines read <c>Name: value</c>.
/// </summary>
internal sealed record ExpectedHead
{
    public string Method { get; init; } = "GET";

    public string Target { get; init; } = "/";

    public HttpVersion Version { get; init; } = HttpVersion.Http11;

    public TargetForm TargetForm { get; init; } = TargetForm.Origin;

    public string? Path { get; init; } = string.Empty;

    public string? Query { get; init; } = string.Empty;

    public string Host { get; init; } = string.Empty;

    public BodyFraming Framing { get; init; } = BodyFraming.None;

    public long ContentLength { get; init; }

    public bool ExpectContinue { get; init; }

    public bool KeepAlive { get; init; } = true;

    public string Headers { get; init; } = string.Empty;

    public static ExpectedHead From(HttpRequestHead head) => new()
    {
        Method = head.Method,
        Target = head.Target,
        Version = head.Version,
        TargetForm = head.TargetForm,
        Path = head.Path,
        Query = head.Query,
        Host = head.Host,
        Framing = head.Framing,
        ContentLength = head.ContentLength,
        ExpectContinue = head.ExpectContinue,
        KeepAlive = head.KeepAlive,
        Headers = FormatHeaders(head.Headers),
    };

    public static string FormatHeaders(IEnumerable<KeyValuePair<string, string>> headers)
        => string.Join("\n", headers.Select(header => $"{header.Key}: {header.Value}"));
}
