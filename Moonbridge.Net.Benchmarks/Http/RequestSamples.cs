using System.Buffers;
using System.Text;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>The request heads the parser benchmarks feed to both parsers, as one contiguous segment each.</summary>
internal static class RequestSamples
{
    /// <summary>Requests in one pipelined batch, as the TechEmpower plaintext test sends them.</summary>
    public const int PipelineDepth = 16;

    /// <summary>The TechEmpower plaintext request.</summary>
    public static readonly byte[] Plaintext = Encoding.ASCII.GetBytes(
        "GET /plaintext HTTP/1.1\r\n" +
        "Host: localhost\r\n" +
        "Accept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\n" +
        "Connection: keep-alive\r\n" +
        "\r\n");

    /// <summary>A page load as a current desktop browser sends it: a query and 12 header lines.</summary>
    public static readonly byte[] Browser = Encoding.ASCII.GetBytes(
        "GET /docs/guide/index.html?lang=en&page=2 HTTP/1.1\r\n" +
        "Host: www.example.org\r\n" +
        "Connection: keep-alive\r\n" +
        "Cache-Control: max-age=0\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Referer: https://www.example.org/docs/\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n" +
        "Cookie: session=4f2a9c1e7b3d; theme=dark; consent=yes\r\n" +
        "\r\n");

    /// <summary><see cref="PipelineDepth"/> plaintext requests back to back, as one read would deliver them.</summary>
    public static readonly byte[] Pipelined = Repeat(Plaintext, PipelineDepth);

    /// <summary>
    /// <see cref="PipelineDepth"/> requests alternating between <see cref="Plaintext"/> and <see cref="Browser"/>:
    /// no line repeats the one at its place in the request before, so every line goes through the line readers.
    /// </summary>
    public static readonly byte[] Alternating = Repeat([.. Plaintext, .. Browser], PipelineDepth / 2);

    public static byte[] Get(RequestCase requestCase) => requestCase switch
    {
        RequestCase.Plaintext => Plaintext,
        RequestCase.Browser => Browser,
        RequestCase.Pipelined16 => Pipelined,
        RequestCase.Alternating16 => Alternating,
        _ => throw new ArgumentOutOfRangeException(nameof(requestCase)),
    };

    /// <summary>How many requests <see cref="Get"/> holds for the case.</summary>
    public static int RequestCount(RequestCase requestCase)
        => requestCase is RequestCase.Pipelined16 or RequestCase.Alternating16 ? PipelineDepth : 1;

    public static ReadOnlySequence<byte> AsSequence(byte[] bytes) => new(bytes);

    private static byte[] Repeat(byte[] request, int count)
    {
        byte[] batch = new byte[request.Length * count];
        for (int i = 0; i < count; i++)
        {
            request.CopyTo(batch, i * request.Length);
        }

        return batch;
    }
}

/// <summary>The request shapes of <see cref="RequestParserBenchmarks"/>.</summary>
public enum RequestCase
{
    /// <summary>One TechEmpower plaintext request (3 header lines).</summary>
    Plaintext,

    /// <summary>One browser page request (12 header lines, a query).</summary>
    Browser,

    /// <summary>16 pipelined plaintext requests in one buffer; the times are per batch.</summary>
    Pipelined16,

    /// <summary>16 pipelined requests in one buffer, plaintext and browser in turn; the times are per batch.</summary>
    Alternating16,
}
