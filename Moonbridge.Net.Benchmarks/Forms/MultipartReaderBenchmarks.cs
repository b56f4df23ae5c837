using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Moonbridge.Net.Benchmarks.IO;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Forms;
using AspNetMultipartReader = Microsoft.AspNetCore.WebUtilities.MultipartReader;
using MoonbridgeMultipartReader = Moonbridge.Net.Http.Forms.MultipartReader;

namespace Moonbridge.Net.Benchmarks.Forms;

/// <summary>
/// Streaming a 1 MiB <c>multipart/form-data</c> body (two short fields and a 1 MiB file) through
/// Moonbridge's <see cref="MoonbridgeMultipartReader"/>, fed in 16 KiB pieces as <c>ProcessRequestBody</c>
/// feeds it (<see cref="HttpOptions.MaximumInputChunkSize"/>), with a handler that only counts part bytes, so
/// the reader's own scanning is what is measured; a new reader per body, as per request. The baseline is
/// ASP.NET Core's <see cref="AspNetMultipartReader"/> over a memory stream, each section's body read into a
/// 16 KiB buffer: another streaming reader of the same bytes, pull-based rather than push-based.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class MultipartReaderBenchmarks
{
    private const string Boundary = "----MoonbridgeBench7MA4YWxkTrZu0gW";
    private const int FileSize = 1024 * 1024;
    private const int PieceSize = 16 * 1024;

    private readonly byte[] _piece = new byte[PieceSize];
    private readonly CountingHandler _handler = new();
    private byte[] _body = [];
    private int _headerLimit;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ThroughputColumn(FileSize, 1024 * 1024, "MiB/s"));
    }

    [GlobalSetup]
    public void Setup()
    {
        _headerLimit = new HttpOptions().RequestHeaderSizeLimit;
        byte[] file = new byte[FileSize];
        new Random(11).NextBytes(file);

        using var body = new MemoryStream();
        body.Write(Encoding.ASCII.GetBytes(
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday photos\r\n" +
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\nThree days at the coast, 2025\r\n" +
            $"--{Boundary}\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"photos.tar\"\r\n" +
            "Content-Type: application/octet-stream\r\n\r\n"));
        body.Write(file);
        body.Write(Encoding.ASCII.GetBytes($"\r\n--{Boundary}--\r\n"));
        _body = body.ToArray();

        long expected = "Holiday photos".Length + "Three days at the coast, 2025".Length + FileSize;
        long moonbridge = Moonbridge();
        long aspNet = AspNetCore().GetAwaiter().GetResult();
        if (moonbridge != expected || aspNet != expected || _handler.Parts != 3)
        {
            throw new InvalidOperationException($"Expected {expected} part bytes in 3 parts; Moonbridge {moonbridge} ({_handler.Parts} parts), ASP.NET Core {aspNet}.");
        }
    }

    [Benchmark(Baseline = true, Description = "ASP.NET Core MultipartReader")]
    public async Task<long> AspNetCore()
    {
        using var stream = new MemoryStream(_body, writable: false);
        var reader = new AspNetMultipartReader(Boundary, stream);
        long total = 0;
        while (await reader.ReadNextSectionAsync() is { } section)
        {
            int read;
            while ((read = await section.Body.ReadAsync(_piece)) > 0)
            {
                total += read;
            }
        }

        return total;
    }

    [Benchmark(Description = "Moonbridge MultipartReader")]
    public long Moonbridge()
    {
        _handler.Reset();
        var reader = new MoonbridgeMultipartReader(Boundary, _headerLimit, _handler);
        ReadOnlySpan<byte> rest = _body;
        while (!rest.IsEmpty)
        {
            int size = Math.Min(PieceSize, rest.Length);
            reader.Write(rest[..size]);
            rest = rest[size..];
        }

        reader.Complete();
        return _handler.Bytes;
    }

    /// <summary>Counts parts and part bytes; keeps nothing.</summary>
    private sealed class CountingHandler : IMultipartHandler
    {
        public int Parts { get; private set; }

        public long Bytes { get; private set; }

        public void Reset()
        {
            Parts = 0;
            Bytes = 0;
        }

        public void OnPartBegin(PostMetadata metadata) => Parts++;

        public void OnPartData(ReadOnlySpan<byte> data) => Bytes += data.Length;

        public void OnPartEnd()
        {
        }
    }
}
