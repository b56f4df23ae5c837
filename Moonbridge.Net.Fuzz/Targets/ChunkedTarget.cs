using System.Buffers;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Fuzz.Targets;

/// <summary>
/// The chunked body decoder (<see cref="ChunkedBodyDecoder"/>), with default and with tight limits, read with small
/// and varying read sizes over one- and two-segment buffers. The only exception allowed is its rejection; data comes
/// only with <see cref="ChunkedReadStatus.Data"/> and is never empty then; it consumes only bytes it was given; and the
/// payload, the bytes consumed up to the end, or the rejection's status are the same however the body is cut.
/// </summary>
internal sealed class ChunkedTarget : IFuzzTarget
{
    private static readonly HttpParserLimits s_defaultLimits = new();

    private static readonly HttpParserLimits s_tightLimits = new()
    {
        BodySizeLimit = 96,
        ChunkLineSizeLimit = 24,
        TrailerSizeLimit = 48,
    };

    public string Name => "chunked";

    public void Check(byte[] input)
    {
        foreach (HttpParserLimits limits in (ReadOnlySpan<HttpParserLimits>)[s_defaultLimits, s_tightLimits])
        {
            string whole = Decode(input, [], limits);
            foreach (int[] cuts in Cuts.Plans(input))
            {
                Expect.Same(whole, Decode(input, cuts, limits), Cuts.Describe(cuts));
            }
        }
    }

    /// <summary>Feeds the body as a request does: unconsumed bytes stay at the front, new bytes are appended.</summary>
    private static string Decode(byte[] input, int[] cuts, HttpParserLimits limits)
    {
        Random choices = Cuts.Seeded(input);
        var decoder = new ChunkedBodyDecoder(limits);
        decoder.Reset();
        var payload = new List<byte>();
        var pending = new List<byte>();
        long consumedTotal = 0;
        try
        {
            foreach (ArraySegment<byte> piece in Cuts.Pieces(input, cuts))
            {
                pending.AddRange(piece);
                while (true)
                {
                    byte[] bytes = [.. pending];
#pragma warning disable CA5394 // Read shapes for a fuzz target, seeded by the input so that a run repeats.
                    int split = bytes.Length > 1 && choices.Next(2) == 0 ? 1 + choices.Next(bytes.Length - 1) : 0;
                    ReadOnlySequence<byte> buffer = split > 0 ? Segments.Of([bytes.AsMemory(0, split), bytes.AsMemory(split)]) : new ReadOnlySequence<byte>(bytes);
                    int maxLength = 1 + choices.Next(64);
#pragma warning restore CA5394
                    ChunkedReadStatus status = decoder.Read(buffer, maxLength, out ReadOnlySequence<byte> data, out SequencePosition consumed);
                    long used = Segments.OffsetOf(buffer, consumed);
                    Expect.True(used >= 0 && used <= bytes.Length, "consumed lies inside the buffer");
                    Expect.True(data.Length <= maxLength, "no more data than asked for");
                    payload.AddRange(data.ToArray());
                    pending.RemoveRange(0, (int)used);
                    consumedTotal += used;
                    if (status == ChunkedReadStatus.Complete)
                    {
                        Expect.True(decoder.IsComplete && data.IsEmpty, "complete, without data");
                        string trailers = string.Join('|', (decoder.Trailers ?? []).Select(t => $"{t.Key}={t.Value}"));
                        return $"complete {consumedTotal} {Convert.ToHexString([.. payload])} {trailers}";
                    }

                    Expect.True(status == ChunkedReadStatus.Data ? data.Length > 0 : data.IsEmpty, "data is returned only with Data");
                    if (status == ChunkedReadStatus.NeedMoreData)
                    {
                        break;
                    }
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            return $"rejected {e.StatusCode}";
        }

        return $"incomplete {Convert.ToHexString([.. payload])}";
    }
}
