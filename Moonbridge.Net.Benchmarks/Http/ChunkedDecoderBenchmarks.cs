using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Moonbridge.Net.Benchmarks.IO;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>
/// Decoding a 1 MiB chunked request body with <see cref="ChunkedBodyDecoder"/>, in 4 KiB chunks and in 64-byte
/// chunks (framing-heavy), the way <c>RequestBodyReader.ReadAsync</c> uses it: the input in 16 KiB
/// segments like the connection's pipe, at most 16 KiB of payload per call (the body-piece size), each
/// payload copied out. The baseline copies the same 1 MiB, unframed and identically segmented, in 16 KiB
/// pieces: what a Content-Length body costs, so the ratio is the price of the chunked framing.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ChunkedDecoderBenchmarks
{
    private const int PayloadSize = 1024 * 1024;
    private const int PieceSize = 16 * 1024;

    private readonly ChunkedBodyDecoder _decoder = new(new HttpParserLimits());
    private readonly byte[] _piece = new byte[PieceSize];
    private ReadOnlySequence<byte> _chunked;
    private ReadOnlySequence<byte> _identity;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn(PayloadSize, 1024 * 1024, "MiB/s"));
    }

    [Params(4096, 64)]
    public int ChunkSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        byte[] payload = new byte[PayloadSize];
        new Random(7).NextBytes(payload);
        _identity = SegmentedSequence.Create(payload);
        _chunked = SegmentedSequence.Create(Encode(payload, ChunkSize));

        if (Decode() != PayloadSize || Identity() != PayloadSize)
        {
            throw new InvalidOperationException("The decoder did not return the whole payload.");
        }
    }

    [Benchmark(Baseline = true, Description = "Content-Length body (copy only)")]
    public long Identity()
    {
        ReadOnlySequence<byte> rest = _identity;
        long total = 0;
        while (!rest.IsEmpty)
        {
            ReadOnlySequence<byte> piece = rest.Slice(0, Math.Min(PieceSize, rest.Length));
            piece.CopyTo(_piece);
            total += piece.Length;
            rest = rest.Slice(piece.End);
        }

        return total;
    }

    [Benchmark(Description = "ChunkedBodyDecoder")]
    public long Decode()
    {
        _decoder.Reset();
        ReadOnlySequence<byte> rest = _chunked;
        long total = 0;
        while (true)
        {
            ChunkedReadStatus status = _decoder.Read(rest, PieceSize, out ReadOnlySequence<byte> payload, out SequencePosition consumed);
            if (status == ChunkedReadStatus.Complete)
            {
                return total;
            }

            if (status == ChunkedReadStatus.NeedMoreData)
            {
                throw new InvalidOperationException("The whole body is there; the decoder asked for more.");
            }

            payload.CopyTo(_piece);
            total += payload.Length;
            rest = rest.Slice(consumed);
        }
    }

    private static byte[] Encode(byte[] payload, int chunkSize)
    {
        using var body = new MemoryStream();
        for (int start = 0; start < payload.Length; start += chunkSize)
        {
            int size = Math.Min(chunkSize, payload.Length - start);
            body.Write(System.Text.Encoding.ASCII.GetBytes(size.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            body.Write(payload, start, size);
            body.Write("\r\n"u8);
        }

        body.Write("0\r\n\r\n"u8);
        return body.ToArray();
    }
}
