using Moonbridge.Net.Http.Forms;
using static Moonbridge.Net.Tests.Http.Forms.MultipartHarness;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>A 200 MiB part streams through with flat memory: nothing is buffered or allocated per chunk.</summary>
public sealed class MultipartStreamingTests
{
    private const string LongBoundary = "----MoonbridgeNetStreamingTestBoundary7MA4YWxkTrZu0gW";
    private const long PartSize = 200L * 1024 * 1024;

    // A prime chunk size, so chunk edges fall on every offset of the repeating pattern, near misses included.
    private const int ChunkSize = 65_521;

    [Test]
    [CancelAfter(120_000)]
    public void A200MiBPartStreamsThroughWithFlatMemory()
    {
        byte[] pattern = CreatePattern();
        var handler = new VerifyingHandler(pattern);
        var reader = new MultipartReader(LongBoundary, 16 * 1024, handler);
        reader.Write(Body(
            "preamble\r\n",
            $"--{LongBoundary}\r\n",
            "Content-Disposition: form-data; name=\"big\"; filename=\"big.bin\"\r\n",
            "Content-Type: application/octet-stream\r\n\r\n"));

        byte[] chunk = new byte[ChunkSize];
        int maxRetained = reader.RetainedCapacity;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        for (long sent = 0; sent < PartSize;)
        {
            int size = (int)Math.Min(ChunkSize, PartSize - sent);
            FillFromPattern(pattern, sent, chunk.AsSpan(0, size));
            reader.Write(chunk.AsSpan(0, size));
            sent += size;
            maxRetained = Math.Max(maxRetained, reader.RetainedCapacity);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long heapGrowth = GC.GetTotalMemory(forceFullCollection: false) - heapBefore;
        reader.Write(Body($"\r\n--{LongBoundary}--\r\n"));
        reader.Complete();
        TestContext.Out.WriteLine($"allocated {allocated} B, heap growth {heapGrowth} B, reader held at most {maxRetained} B");

        Assert.That(handler.Received, Is.EqualTo(PartSize));
        Assert.That(handler.Mismatches, Is.Zero, "the data arrived unchanged");
        Assert.That(handler.Ended, Is.True);
        Assert.That(heapGrowth, Is.LessThan(16L * 1024 * 1024), "managed heap growth while streaming");
        Assert.That(allocated, Is.LessThan(1024 * 1024), "bytes allocated while streaming 200 MiB");
        Assert.That(maxRetained, Is.LessThanOrEqualTo(1024 + LongBoundary.Length + 4), "bytes the reader held");
    }

    // Random bytes with near misses of the delimiter sprinkled in, the last one cut by the pattern's end so
    // that it continues (and fails) in the next repetition.
    private static byte[] CreatePattern()
    {
        byte[] pattern = new byte[1024 * 1024];
        new Random(42).NextBytes(pattern);
        byte[] delimiter = Body($"\r\n--{LongBoundary}");
        for (int at = 1000, length = 1; at + delimiter.Length < pattern.Length; at += 9973, length = (length % (delimiter.Length - 1)) + 1)
        {
            delimiter.AsSpan(0, length).CopyTo(pattern.AsSpan(at));
        }

        delimiter.AsSpan(0, 20).CopyTo(pattern.AsSpan(pattern.Length - 20));
        return pattern;
    }

    private static void FillFromPattern(byte[] pattern, long offset, Span<byte> destination)
    {
        int at = (int)(offset % pattern.Length);
        while (!destination.IsEmpty)
        {
            int count = Math.Min(destination.Length, pattern.Length - at);
            pattern.AsSpan(at, count).CopyTo(destination);
            destination = destination[count..];
            at = 0;
        }
    }

    /// <summary>Compares each piece of data with the pattern at the same offset; keeps nothing.</summary>
    private sealed class VerifyingHandler(byte[] pattern) : IMultipartHandler
    {
        public long Received { get; private set; }

        public int Mismatches { get; private set; }

        public bool Ended { get; private set; }

        public void OnPartBegin(PostMetadata metadata)
        {
            if (metadata.FileName != "big.bin")
            {
                Mismatches++;
            }
        }

        public void OnPartData(ReadOnlySpan<byte> data)
        {
            while (!data.IsEmpty)
            {
                int at = (int)(Received % pattern.Length);
                int count = Math.Min(data.Length, pattern.Length - at);
                if (!data[..count].SequenceEqual(pattern.AsSpan(at, count)))
                {
                    Mismatches++;
                }

                Received += count;
                data = data[count..];
            }
        }

        public void OnPartEnd() => Ended = true;
    }
}
