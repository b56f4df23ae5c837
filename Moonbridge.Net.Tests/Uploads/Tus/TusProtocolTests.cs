using System.Globalization;
using System.IO.Hashing;
using System.Security.Cryptography;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Tus;

/// <summary>tus 1.0 core and its extensions on <c>/files</c>, over raw loopback sockets.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class TusProtocolTests
{
    internal const string TusHeader = "Tus-Resumable: 1.0.0\r\n";

    [Test]
    public async Task CreationGivesALocationAndHeadReportsTheUploadWithItsMetadata(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange created = await server.SendAsync("POST", "/files", TusHeader + "Upload-Length: 100\r\nUpload-Metadata: filename aGVsbG8udHh0,empty\r\n", cancellationToken);
        string path = created.Final.Header("Location")!;
        Exchange head = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(created.Final.StatusCode, Is.EqualTo(201), created.ToString());
            Assert.That(created.Final.Header("Tus-Resumable"), Is.EqualTo("1.0.0"));
            Assert.That(path, Does.Match("^/files/[0-9a-f]{32}$"));
            Assert.That(DateTimeOffset.Parse(created.Final.Header("Upload-Expires")!, CultureInfo.InvariantCulture), Is.GreaterThan(DateTimeOffset.UtcNow));
            Assert.That(head.Final.StatusCode, Is.EqualTo(200));
            Assert.That(head.Final.Header("Upload-Offset"), Is.EqualTo("0"));
            Assert.That(head.Final.Header("Upload-Length"), Is.EqualTo("100"));
            Assert.That(head.Final.Header("Upload-Metadata"), Is.EqualTo("filename aGVsbG8udHh0,empty"));
            Assert.That(head.Final.Header("Cache-Control"), Is.EqualTo("no-store"));
        });
    }

    [Test]
    public async Task PatchesAtTheOffsetCompleteTheUploadAndTheResultIsKept(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(300_000);
        string path = await CreateAsync(server, $"Upload-Length: {data.Length}\r\n", cancellationToken);

        Exchange first = await PatchAsync(server, path, 0, data.AsMemory(0, 120_000), cancellationToken);
        Exchange second = await PatchAsync(server, path, 120_000, data.AsMemory(120_000), cancellationToken);
        Exchange result = await server.SendAsync("GET", path + "/result", "", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That((first.Final.StatusCode, second.Final.StatusCode), Is.EqualTo((204, 204)), second.ToString());
            Assert.That(first.Final.Header("Upload-Offset"), Is.EqualTo("120000"));
            Assert.That(second.Final.Header("Upload-Offset"), Is.EqualTo("300000"));
            Assert.That(second.Final.Header("Upload-Expires"), Is.Not.Null);
            Assert.That(result.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AnEmptyUploadIsCompleteAtOnce(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        string path = await CreateAsync(server, "Upload-Length: 0\r\n", cancellationToken);
        Exchange result = await server.SendAsync("GET", path + "/result", "", cancellationToken);

        Assert.That(result.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult([])));
    }

    [Test]
    public async Task ADeferredLengthIsShownAsSuchUntilAPatchDeclaresIt(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await CreateAsync(server, "Upload-Defer-Length: 1\r\n", cancellationToken);
        Exchange before = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);

        Exchange patched = await PatchAsync(server, path, 0, "abc"u8.ToArray(), cancellationToken, "Upload-Length: 3\r\n");
        Exchange after = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);
        Exchange again = await PatchAsync(server, path, 3, ReadOnlyMemory<byte>.Empty, cancellationToken, "Upload-Length: 4\r\n");

        Assert.Multiple(() =>
        {
            Assert.That(before.Final.Header("Upload-Defer-Length"), Is.EqualTo("1"));
            Assert.That(before.Final.Header("Upload-Length"), Is.Null);
            Assert.That(patched.Final.StatusCode, Is.EqualTo(204), patched.ToString());
            Assert.That(after.Final.Header("Upload-Length"), Is.EqualTo("3"));
            Assert.That(after.Final.Header("Upload-Defer-Length"), Is.Null);
            Assert.That(again.Final.StatusCode, Is.EqualTo(400), "the length is set once");
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [TestCase("Upload-Defer-Length: 2\r\n", 400)]
    [TestCase("", 400)]
    [TestCase("Upload-Length: -1\r\n", 400)]
    [TestCase("Upload-Length: 1x\r\n", 400)]
    [TestCase("Upload-Length: 5\r\nUpload-Defer-Length: 1\r\n", 400)]
    [TestCase("Upload-Length: 5\r\nUpload-Metadata: key not*base64\r\n", 400)]
    [TestCase("Upload-Length: 5\r\nUpload-Metadata: key YQ==,key YQ==\r\n", 400)]
    [TestCase("Upload-Length: 5000\r\n", 413)]
    public async Task BadCreationsAreRefused(string fields, int expected, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxSize = 4096);

        Exchange exchange = await server.SendAsync("POST", "/files", TusHeader + fields, cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(expected), exchange.ToString());
    }

    [Test]
    public async Task AnotherTusVersionIsRefusedWith412AndTheVersionSpoken(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange exchange = await server.SendAsync("POST", "/files", "Tus-Resumable: 0.2.2\r\nUpload-Length: 5\r\n", cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(412));
        Assert.That(exchange.Final.Header("Tus-Version"), Is.EqualTo("1.0.0"));
        Assert.That(Directory.GetFiles(server.Directory), Is.Empty, "nothing created");
    }

    [Test]
    public async Task OptionsNeedsNoTusHeaderAndListsVersionsExtensionsAndLimits(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxSize = 4096);

        Exchange options = await server.SendAsync("OPTIONS", "/files", "", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(options.Final.StatusCode, Is.EqualTo(204));
            Assert.That(options.Final.Header("Tus-Version"), Is.EqualTo("1.0.0"));
            Assert.That(options.Final.Header("Tus-Extension")!.Split(','), Is.SupersetOf(s_extensions));
            Assert.That(options.Final.Header("Tus-Max-Size"), Is.EqualTo("4096"));
            Assert.That(options.Final.Header("Tus-Checksum-Algorithm"), Does.Contain("sha1"));
        });
    }

    [Test]
    public async Task PatchesAreCheckedForTypeOffsetAndLength(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await CreateAsync(server, "Upload-Length: 10\r\n", cancellationToken);

        Exchange wrongType = await server.SendAsync("PATCH", path, TusHeader + "Upload-Offset: 0\r\nContent-Type: application/octet-stream\r\n", new byte[2], cancellationToken);
        Exchange wrongOffset = await PatchAsync(server, path, 3, new byte[2], cancellationToken);
        Exchange noOffset = await server.SendAsync("PATCH", path, TusHeader + "Content-Type: application/offset+octet-stream\r\n", new byte[2], cancellationToken);
        Exchange otherLength = await PatchAsync(server, path, 0, new byte[2], cancellationToken, "Upload-Length: 11\r\n");
        Exchange tooLong = await PatchAsync(server, path, 0, new byte[11], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(wrongType.Final.StatusCode, Is.EqualTo(415));
            Assert.That(wrongOffset.Final.StatusCode, Is.EqualTo(409));
            Assert.That(wrongOffset.Final.Header("Upload-Offset"), Is.EqualTo("0"));
            Assert.That(noOffset.Final.StatusCode, Is.EqualTo(400));
            Assert.That(otherLength.Final.StatusCode, Is.EqualTo(400));
            Assert.That(tooLong.Final.StatusCode, Is.EqualTo(413));
        });
        Assert.That(await TusOffsetAsync(server, path, cancellationToken), Is.Zero);
    }

    [TestCase("sha1")]
    [TestCase("sha256")]
    [TestCase("md5")]
    [TestCase("crc32")]
    public async Task AChunkWithAMatchingChecksumIsKeptAndAMismatchIs460WithNothingKept(string algorithm, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(70_000);
        string path = await CreateAsync(server, $"Upload-Length: {data.Length * 2}\r\n", cancellationToken);

        Exchange good = await PatchAsync(server, path, 0, data, cancellationToken, $"Upload-Checksum: {algorithm} {Digest(algorithm, data)}\r\n");
        Exchange bad = await PatchAsync(server, path, data.Length, data, cancellationToken, $"Upload-Checksum: {algorithm} {Digest(algorithm, data[1..])}\r\n");

        Assert.That(good.Final.StatusCode, Is.EqualTo(204), good.ToString());
        Assert.That(bad.Final.StatusCode, Is.EqualTo(460), bad.ToString());
        Assert.That(await TusOffsetAsync(server, path, cancellationToken), Is.EqualTo(data.Length));
    }

    [TestCase(true, 204)]
    [TestCase(false, 460)]
    public async Task AChecksumInTheTrailerIsCheckedAfterTheContent(bool right, int expected, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(50_000);
        string path = await CreateAsync(server, $"Upload-Length: {data.Length}\r\n", cancellationToken);
        string digest = Digest("sha256", right ? data : data[1..]);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(UploadTestServer.Head("PATCH", path, TusHeader + "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nTransfer-Encoding: chunked\r\nTrailer: Upload-Checksum\r\n"), cancellationToken);
        await client.SendAsync(System.Text.Encoding.ASCII.GetBytes($"{data.Length:x}\r\n"), cancellationToken);
        await client.SendAsync(data, cancellationToken);
        await client.SendAsync($"\r\n0\r\nUpload-Checksum: sha256 {digest}\r\n\r\n", cancellationToken);
        Exchange exchange = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(expected), exchange.ToString());
        Assert.That(await TusOffsetAsync(server, path, cancellationToken), Is.EqualTo(right ? data.Length : 0));
    }

    [Test]
    public async Task AChecksumAnnouncedAsATrailerButNotSentIs400WithNothingKept(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await CreateAsync(server, "Upload-Length: 3\r\n", cancellationToken);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(UploadTestServer.Head("PATCH", path, TusHeader + "Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nTransfer-Encoding: chunked\r\nTrailer: Upload-Checksum\r\n") + "3\r\nabc\r\n0\r\n\r\n", cancellationToken);
        Exchange exchange = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(400), exchange.ToString());
        Assert.That(await TusOffsetAsync(server, path, cancellationToken), Is.Zero);
    }

    [Test]
    public async Task AnUnknownChecksumAlgorithmIs400(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await CreateAsync(server, "Upload-Length: 3\r\n", cancellationToken);

        Exchange exchange = await PatchAsync(server, path, 0, "abc"u8.ToArray(), cancellationToken, "Upload-Checksum: sha3 AAAA\r\n");

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public async Task CreationWithUploadStoresTheFirstBytes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(5000);

        Exchange created = await server.SendAsync("POST", "/files", TusHeader + "Upload-Length: 5000\r\nContent-Type: application/offset+octet-stream\r\n", data.AsMemory(0, 2000), cancellationToken);
        Exchange rest = await PatchAsync(server, created.Final.Header("Location")!, 2000, data.AsMemory(2000), cancellationToken);

        Assert.That(created.Final.Header("Upload-Offset"), Is.EqualTo("2000"), created.ToString());
        Assert.That(rest.Final.Header("Upload-Offset"), Is.EqualTo("5000"));
        Assert.That(server.Completions, Is.EqualTo(1));
    }

    [Test]
    public async Task TerminationRemovesTheUpload(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await CreateAsync(server, "Upload-Length: 10\r\n", cancellationToken);

        Exchange deleted = await server.SendAsync("DELETE", path, TusHeader, cancellationToken);
        Exchange head = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);

        Assert.That((deleted.Final.StatusCode, head.Final.StatusCode), Is.EqualTo((204, 404)));
        Assert.That(head.Final.Header("Upload-Offset"), Is.Null);
    }

    [Test]
    public async Task MethodOverrideLetsAPostActAsPatchOrDelete(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await CreateAsync(server, "Upload-Length: 3\r\n", cancellationToken);

        Exchange patched = await server.SendAsync("POST", path, TusHeader + "X-HTTP-Method-Override: PATCH\r\nUpload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\n", "abc"u8.ToArray(), cancellationToken);
        Exchange deleted = await server.SendAsync("POST", path, TusHeader + "X-HTTP-Method-Override: DELETE\r\nContent-Length: 0\r\n", cancellationToken);

        Assert.That((patched.Final.StatusCode, deleted.Final.StatusCode), Is.EqualTo((204, 204)), patched.ToString());
    }

    private static readonly string[] s_extensions = ["creation", "creation-with-upload", "creation-defer-length", "expiration", "checksum", "checksum-trailer", "termination", "concatenation"];

    internal static async Task<string> CreateAsync(UploadTestServer server, string fields, CancellationToken cancellationToken)
    {
        Exchange created = await server.SendAsync("POST", "/files", TusHeader + fields + "Content-Length: 0\r\n", cancellationToken);
        Assert.That(created.Final.StatusCode, Is.EqualTo(201), created.ToString());
        return created.Final.Header("Location")!;
    }

    internal static Task<Exchange> PatchAsync(UploadTestServer server, string path, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken, string extra = "")
        => server.SendAsync("PATCH", path, TusHeader + $"Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\n" + extra, data, cancellationToken);

    internal static async Task<long> TusOffsetAsync(UploadTestServer server, string path, CancellationToken cancellationToken)
    {
        Exchange head = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);
        return long.Parse(head.Final.Header("Upload-Offset")!, CultureInfo.InvariantCulture);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "tus clients send these digests; the test computes what they would.")]
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "tus clients send these digests; the test computes what they would.")]
    private static string Digest(string algorithm, byte[] data) => Convert.ToBase64String(algorithm switch
    {
        "sha1" => SHA1.HashData(data),
        "sha256" => SHA256.HashData(data),
        "md5" => MD5.HashData(data),
        _ => BigEndianCrc32(data),
    });

    private static byte[] BigEndianCrc32(byte[] data)
    {
        byte[] hash = Crc32.Hash(data);
        Array.Reverse(hash); // Crc32.Hash is little-endian; clients send the value big-endian
        return hash;
    }
}
