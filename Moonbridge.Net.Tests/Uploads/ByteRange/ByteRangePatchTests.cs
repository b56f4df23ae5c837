using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;
using static Moonbridge.Net.Tests.Uploads.ByteRange.ResumableRequestTests;

namespace Moonbridge.Net.Tests.Uploads.ByteRange;

/// <summary>draft-wright-http-patch-byterange: the three patch media types, the Content-Range forms and the rules for parts.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ByteRangePatchTests
{
    [Test]
    public async Task SegmentsByMessageByterangeCompleteAtTheCompleteLength(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(600);
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange first = await PatchAsync(server, path, Part("bytes 0-199/600", data.AsSpan(0, 200), "Content-Length: 200\r\n"), cancellationToken);
        Exchange second = await PatchAsync(server, path, Part("bytes 200-399/600", data.AsSpan(200, 200)), cancellationToken);
        Exchange third = await PatchAsync(server, path, Part("bytes 400-599/600", data.AsSpan(400)), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That((first.Final.StatusCode, second.Final.StatusCode), Is.EqualTo((200, 200)), first.ToString());
            Assert.That(second.Final.Header("Upload-Offset"), Is.EqualTo("400"));
            Assert.That(third.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), third.ToString());
        });
    }

    [TestCase("Content-Length: 10\r\n", "bytes 0-9/20", 400)]
    [TestCase("Content-Length: 11\r\n", "bytes 0-9/20", 400)]
    [TestCase("", "bytes 5-9/20", 409)]
    [TestCase("", "0-9", 400)]
    [TestCase("", "bytes 0-9/5", 400)]
    [TestCase("", "bytes 0-9/99999999999", 400)]
    public async Task BadPartsAreRefused(string extraFields, string contentRange, int expected, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxSize = 1 << 20);
        string path = await server.CreateAsync(null, cancellationToken);
        byte[] document = extraFields.StartsWith("Content-Length: 10", StringComparison.Ordinal) && contentRange == "bytes 0-9/20"
            ? Encoding.ASCII.GetBytes("Content-Length: 10\r\n\r\n0123456789") // no Content-Range at all
            : Part(contentRange, "0123456789"u8, extraFields);

        Exchange exchange = await PatchAsync(server, path, document, cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(expected), exchange.ToString());
        Assert.That(await server.OffsetAsync(path, cancellationToken), Is.Zero);
    }

    [Test]
    public async Task AResentRangeIsSkippedUpToTheEndAndTheRestAppended(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(100);
        string path = await server.CreateAsync(100, cancellationToken);
        await PatchAsync(server, path, Part("bytes 0-59/100", data.AsSpan(0, 60)), cancellationToken);

        Exchange overlapping = await PatchAsync(server, path, Part("bytes 40-99/100", data.AsSpan(40)), cancellationToken);

        Assert.That(overlapping.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), overlapping.ToString());
    }

    [Test]
    public async Task TheLengthAloneCanBeSetWithAnUnsatisfiedRange(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange set = await PatchAsync(server, path, Part("bytes */3", []), cancellationToken);
        Exchange data = await PatchAsync(server, path, Part("bytes 0-2/*", "abc"u8), cancellationToken);

        Assert.That(set.Final.StatusCode, Is.EqualTo(200), set.ToString());
        Assert.That(data.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult("abc"u8)), data.ToString());
    }

    [Test]
    public async Task MultipartByterangesAppliesEveryPart(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        byte[] body = Encoding.ASCII.GetBytes(
            "preamble\r\n--SEP\r\nContent-Range: bytes 0-4/10\r\nContent-Type: text/plain\r\n\r\nhello\r\n--SEP\r\nContent-Range: bytes 5-9/10\r\n\r\nworld\r\n--SEP--\r\n");

        Exchange exchange = await server.SendAsync("PATCH", path, "Content-Type: multipart/byteranges; boundary=SEP\r\n", body, cancellationToken);

        Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult("helloworld"u8)), exchange.ToString());
    }

    [Test]
    public async Task AMultipartPatchCutInItsSecondPartKeepsNothing(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        byte[] body = Encoding.ASCII.GetBytes("--SEP\r\nContent-Range: bytes 0-4/10\r\n\r\nhello\r\n--SEP\r\nContent-Range: bytes 5-9/10\r\n\r\nwo");
        using (TestClient client = await server.ConnectAsync(cancellationToken))
        {
            await client.SendAsync(UploadTestServer.Head("PATCH", path, "Content-Type: multipart/byteranges; boundary=SEP\r\nContent-Length: 200\r\n"), cancellationToken);
            await client.SendAsync(body, cancellationToken);
            client.ShutdownSend();
            _ = await client.ReadToEndAsync(cancellationToken);
        }

        Assert.That(await server.OffsetAsync(path, cancellationToken), Is.Zero, "all or nothing");
    }

    [Test]
    public async Task ApplicationByterangesAppliesKnownAndIndeterminateLengthParts(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        var document = new MemoryStream();
        document.WriteByte(8); // known-length part
        byte[] fields = [.. Field("Content-Range", "bytes 0-4/10")];
        document.WriteByte((byte)fields.Length);
        document.Write(fields);
        document.WriteByte(5);
        document.Write("hello"u8);
        document.WriteByte(10); // indeterminate-length part: fields, 0, chunks, 0
        document.Write(Field("Content-Range", "bytes 5-9/10"));
        document.WriteByte(0);
        document.WriteByte(2);
        document.Write("wo"u8);
        document.WriteByte(3);
        document.Write("rld"u8);
        document.WriteByte(0);

        Exchange exchange = await server.SendAsync("PATCH", path, "Content-Type: application/byteranges\r\n", document.ToArray(), cancellationToken);

        Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult("helloworld"u8)), exchange.ToString());
    }

    /// <summary>
    /// <c>message/byterange</c> PATCHes cut at random byte positions (inside the part's field lines, inside its bytes),
    /// each followed by HEAD and a resume from what it reports: the result is the source's SHA-256.
    /// </summary>
    [Test]
    public async Task RandomCutsAnywhereInByterangePatchesEndWithTheExactBytes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        var random = new Random(61206);
        byte[] data = RandomNumberGenerator.GetBytes(300_000);
        string path = await server.CreateAsync(null, cancellationToken);
        long offset = 0;
        for (int cuts = 0; ; cuts++)
        {
            byte[] document = Part($"bytes {offset}-{data.Length - 1}/{data.Length}", data.AsSpan((int)offset), "Content-Type: application/octet-stream\r\n");
            bool cut = cuts < 10;

            // Half the cuts fall inside the part's fields, half anywhere.
            int sent = !cut ? document.Length : cuts % 2 == 0 ? random.Next(1, 60) : random.Next(1, document.Length);
            using (TestClient client = await server.ConnectAsync(cancellationToken))
            {
                await client.SendAsync(UploadTestServer.Head("PATCH", path, $"Content-Type: message/byterange\r\nContent-Length: {document.Length}\r\n"), cancellationToken);
                await client.SendAsync(document.AsMemory(0, sent), cancellationToken);
                if (!cut)
                {
                    Exchange done = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);
                    Assert.That(done.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), done.ToString());
                    break;
                }

                client.ShutdownSend();
                _ = await client.ReadToEndAsync(cancellationToken);
            }

            long now = await server.OffsetAsync(path, cancellationToken);
            Assert.That(now, Is.GreaterThanOrEqualTo(offset), $"cut {cuts} at byte {sent}");
            offset = now;
        }

        Assert.That(server.Completions, Is.EqualTo(1));
    }

    private static byte[] Field(string name, string value)
        => [(byte)name.Length, .. Encoding.ASCII.GetBytes(name), (byte)value.Length, .. Encoding.ASCII.GetBytes(value)];

    private static Task<Exchange> PatchAsync(UploadTestServer server, string path, byte[] document, CancellationToken cancellationToken)
        => server.SendAsync("PATCH", path, "Content-Type: message/byterange\r\n", document, cancellationToken);
}
