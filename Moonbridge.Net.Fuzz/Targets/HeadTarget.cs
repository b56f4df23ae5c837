using System.Buffers;
using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Fuzz.Targets;

/// <summary>
/// The request-head parser (<see cref="HttpHeadParser"/>), with default and with tight limits. The only exception
/// allowed is its rejection (<see cref="BadHttpRequestException"/>); the head it accepts, the bytes it consumes, or the
/// status it rejects with must be the same whether the bytes arrive whole or in pieces.
/// </summary>
internal sealed class HeadTarget : IFuzzTarget
{
    private static readonly HttpParserLimits s_defaultLimits = new();

    /// <summary>Small limits, so that short inputs reach every limit check (and the point where two of them compete).</summary>
    private static readonly HttpParserLimits s_tightLimits = new()
    {
        HeaderSizeLimit = 256,
        RequestLineSizeLimit = 96,
        HeaderCountLimit = 6,
        BodySizeLimit = 96,
        ChunkLineSizeLimit = 24,
        TrailerSizeLimit = 48,
    };

    public string Name => "head";

    public void Check(byte[] input)
    {
        foreach (HttpParserLimits limits in (ReadOnlySpan<HttpParserLimits>)[s_defaultLimits, s_tightLimits])
        {
            string whole = Parse(input, [], limits);
            foreach (int[] cuts in Cuts.Plans(input))
            {
                Expect.Same(whole, Parse(input, cuts, limits), Cuts.Describe(cuts));
            }
        }
    }

    /// <summary>Feeds the input as the connection does: the same parser sees ever longer buffers, in segments as they arrived.</summary>
    internal static string Parse(byte[] input, int[] cuts, HttpParserLimits limits)
    {
        var parser = new HttpHeadParser(limits);
        var head = new HttpRequestHead();
        var arrived = new List<ReadOnlyMemory<byte>>();
        foreach (ArraySegment<byte> piece in Cuts.Pieces(input, cuts))
        {
            arrived.Add(piece);
            ReadOnlySequence<byte> buffer = Segments.Of(arrived);
            try
            {
                if (parser.TryParse(buffer, head, out SequencePosition consumed))
                {
                    long used = Segments.OffsetOf(buffer, consumed);
                    Expect.True(used > 0 && used <= buffer.Length, "an accepted head consumes bytes inside the buffer");
                    return $"accepted {used} {Describe(head)}";
                }
            }
            catch (BadHttpRequestException e)
            {
                return $"rejected {e.StatusCode}";
            }
        }

        return "incomplete";
    }

    private static string Describe(HttpRequestHead head)
    {
        var text = new StringBuilder()
            .Append(head.Method).Append('|').Append(head.Target).Append('|').Append(head.Version).Append('|').Append(head.TargetForm)
            .Append('|').Append(head.Path ?? "<null>").Append('|').Append(head.Query ?? "<null>").Append('|').Append(head.Host)
            .Append('|').Append(head.Framing).Append('|').Append(head.ContentLength).Append('|').Append(head.ExpectContinue)
            .Append('|').Append(head.KeepAlive);
        foreach (KeyValuePair<string, string> header in head.Headers)
        {
            text.Append('|').Append(header.Key).Append('=').Append(header.Value);
        }

        return text.ToString();
    }
}
