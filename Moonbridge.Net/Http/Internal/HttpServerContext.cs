using System.Text;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Http.Internal;

/// <summary>What every connection of one <c>HttpHandler.Create</c> shares: options, limits, logger and pre-encoded static headers.</summary>
internal sealed class HttpServerContext
{
    public HttpServerContext(HttpOptions options)
    {
        Options = options;
        Logger = options.LoggerFactory?.CreateLogger("Moonbridge.Net.Http") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        Limits = new HttpParserLimits
        {
            HeaderSizeLimit = options.RequestHeaderSizeLimit,
            RequestLineSizeLimit = Math.Min(options.RequestLineSizeLimit, options.RequestHeaderSizeLimit),
            HeaderCountLimit = options.RequestHeaderCountLimit,
            BodySizeLimit = options.RequestBodySizeLimit,
            ChunkLineSizeLimit = options.RequestChunkLineSizeLimit,
            TrailerSizeLimit = options.RequestTrailerSizeLimit,
        };

        var headers = new StringBuilder();
        foreach (KeyValuePair<string, string> header in options.StaticHeaders)
        {
            headers.Append(header.Key).Append(": ").Append(header.Value).Append("\r\n");
        }

        StaticHeaderBytes = Encoding.Latin1.GetBytes(headers.ToString());
        foreach (KeyValuePair<string, string> header in options.StaticHeaders)
        {
            if (header.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            {
                StaticDate = true;
            }
        }
    }

    public HttpOptions Options { get; }

    public HttpParserLimits Limits { get; }

    public ILogger Logger { get; }

    /// <summary>The static headers as <c>Name: value\r\n</c> lines.</summary>
    public byte[] StaticHeaderBytes { get; }

    /// <summary>A static header supplies Date, so the server does not add its own.</summary>
    public bool StaticDate { get; }
}
