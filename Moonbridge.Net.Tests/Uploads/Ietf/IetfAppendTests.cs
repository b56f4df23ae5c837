using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Ietf;

/// <summary>
/// Appends (<c>PATCH</c>, <c>application/partial-upload</c>) over raw loopback sockets: offsets, Structured Field
/// syntax, content types per interop version, length rules, completion and the replay of the final response.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IetfAppendTests
{
    [Test]
    public async Task AppendsInPiecesMakeTheWholeRepresentation(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(1_000_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);

        Exchange first = await server.AppendAsync(path, 0, complete: false, data.AsMemory(0, 400_000), cancellationToken);
        Exchange second = await server.AppendAsync(path, 400_000, complete: false, data.AsMemory(400_000, 300_000), cancellationToken);
        Exchange last = await server.AppendAsync(path, 700_000, complete: true, data.AsMemory(700_000), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(first.Final.StatusCode, Is.EqualTo(204), first.ToString());
            Assert.That(first.Final.Header("Upload-Offset"), Is.EqualTo("400000"));
            Assert.That(first.Final.Header("Upload-Complete"), Is.EqualTo("?0"));
            Assert.That(second.Final.Header("Upload-Offset"), Is.EqualTo("700000"));
            Assert.That(second.Interim.All(r => r.Header("Location") is null), Is.True, "progress 104s on append carry no Location");
            Assert.That(last.Final.StatusCode, Is.EqualTo(200));
            Assert.That(last.Final.Header("Upload-Complete"), Is.EqualTo("?1"));
            Assert.That(last.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [TestCase(100)]
    [TestCase(0)]
    public async Task AnAppendAtTheWrongOffsetIsAConflictThatNamesTheRightOne(long provided, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        await server.AppendAsync(path, 0, complete: false, new byte[50], cancellationToken);

        Exchange conflict = await server.AppendAsync(path, provided, complete: false, new byte[10], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(conflict.Final.StatusCode, Is.EqualTo(409), conflict.ToString());
            Assert.That(conflict.Final.Header("Upload-Offset"), Is.EqualTo("50"));
            Assert.That(conflict.Final.Header("Upload-Complete"), Is.EqualTo("?0"));
            Assert.That(conflict.Final.Header("Content-Type"), Is.EqualTo("application/problem+json"));
            Assert.That(conflict.Final.BodyText, Does.Contain("#mismatching-upload-offset").And.Contain("\"expected-offset\":50").And.Contain($"\"provided-offset\":{provided}"));
        });
        Assert.That(await server.OffsetAsync(path, cancellationToken), Is.EqualTo(50), "nothing appended");
    }

    [TestCase("+5")]
    [TestCase("5.0")]
    [TestCase("-1")]
    [TestCase("1234567890123456")]
    [TestCase("?1")]
    [TestCase("0, 0")]
    [TestCase("")]
    public async Task AnOffsetThatIsNotAnSfIntegerIsIgnoredSoTheAppendLacksOne(string offset, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        string headers = $"Upload-Draft-Interop-Version: 9\r\nUpload-Offset: {offset}\r\nUpload-Complete: ?0\r\nContent-Type: application/partial-upload\r\n";

        Exchange exchange = await server.SendAsync("PATCH", path, headers, new byte[5], cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(400), exchange.ToString());
        Assert.That(exchange.Final.BodyText, Does.Contain("Upload-Offset"));
    }

    [Test]
    public async Task TwoOffsetFieldLinesAreNotAnItemAndAreIgnored(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        string headers = "Upload-Offset: 0\r\nUpload-Offset: 0\r\nUpload-Complete: ?0\r\nContent-Type: application/partial-upload\r\n";

        Exchange exchange = await server.SendAsync("PATCH", path, headers, new byte[5], cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(400), exchange.ToString());
    }

    [Test]
    public async Task ValidStructuredFieldVariantsAreAccepted(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        string headers = "Upload-Offset:  00 \r\nUpload-Complete: ?1;p=1\r\nContent-Type: application/partial-upload; x=y\r\n";

        Exchange exchange = await server.SendAsync("PATCH", path, headers, Encoding.ASCII.GetBytes("abc"), cancellationToken);

        Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult("abc"u8)), exchange.ToString());
    }

    [TestCase(9, "application/octet-stream", 415)]
    [TestCase(6, "application/octet-stream", 415)]
    [TestCase(5, "application/octet-stream", 204)]
    [TestCase(9, null, 415)]
    public async Task TheAppendsContentTypeIsCheckedFromVersion6On(int version, string? contentType, int expected, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        string type = contentType is null ? "" : $"Content-Type: {contentType}\r\n";

        Exchange exchange = await server.SendAsync("PATCH", path, $"Upload-Draft-Interop-Version: {version}\r\nUpload-Offset: 0\r\nUpload-Complete: ?0\r\n{type}", new byte[5], cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(expected), exchange.ToString());
    }

    [Test]
    public async Task AChunkedAppendWithoutContentLengthIsAccepted(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(10, cancellationToken);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(0, complete: true) + "Transfer-Encoding: chunked\r\n") + "4\r\n0123\r\n6\r\n456789\r\n0\r\n\r\n", cancellationToken);
        Exchange exchange = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);

        Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult("0123456789"u8)), exchange.ToString());
    }

    [Test]
    public async Task ContentBeyondTheKnownLengthDeactivatesTheUpload(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(10, cancellationToken);
        using TestClient client = await server.ConnectAsync(cancellationToken);

        // Chunked, so no Content-Length gives the excess away before it arrives.
        await client.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(0, complete: false) + "Transfer-Encoding: chunked\r\n") + "b\r\n0123456789X\r\n0\r\n\r\n", cancellationToken);
        Exchange exchange = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);
        Exchange head = await server.SendAsync("HEAD", path, "", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(exchange.Final.StatusCode, Is.EqualTo(400), exchange.ToString());
            Assert.That(exchange.Final.BodyText, Does.Contain("#inconsistent-upload-length"));
            Assert.That(head.Final.StatusCode, Is.EqualTo(404), "the upload is gone");
        });
    }

    [Test]
    public async Task CompletingWithFewerBytesThanTheLengthIsInconsistentAndKeepsTheBytes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(100, cancellationToken);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(0, complete: true) + "Transfer-Encoding: chunked\r\n") + "a\r\n0123456789\r\n0\r\n\r\n", cancellationToken);

        Exchange exchange = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(400), exchange.ToString());
        Assert.That(exchange.Final.BodyText, Does.Contain("#inconsistent-upload-length"));
        Assert.That(await server.OffsetAsync(path, cancellationToken), Is.EqualTo(10));
    }

    [Test]
    public async Task AnEmptyCompletingAppendFinishesAnUploadWhoseBytesAllArrived(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(5000);
        string path = await server.CreateAsync(null, cancellationToken);
        await server.AppendAsync(path, 0, complete: false, data, cancellationToken);

        Exchange done = await server.AppendAsync(path, 5000, complete: true, ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.That(done.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), done.ToString());
    }

    [Test]
    public async Task Version9ReplaysTheFinalResponseToAValidAppendAfterCompletion(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        Exchange done = await server.AppendAsync(path, 0, complete: true, "abc"u8.ToArray(), cancellationToken);

        Exchange again = await server.AppendAsync(path, 3, complete: true, ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(again.Final.StatusCode, Is.EqualTo(200), again.ToString());
            Assert.That(again.Final.Header("Upload-Complete"), Is.EqualTo("?1"));
            Assert.That(again.Final.BodyText, Is.EqualTo(done.Final.BodyText));
            Assert.That(server.Completions, Is.EqualTo(1), "the application ran once");
        });
    }

    [TestCase(8)]
    [TestCase(6)]
    public async Task EarlierVersionsRefuseAnAppendAfterCompletion(int version, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);
        await server.AppendAsync(path, 0, complete: true, "abc"u8.ToArray(), cancellationToken);

        Exchange again = await server.SendAsync("PATCH", path, UploadTestServer.AppendHeaders(3, complete: true, version), ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.That(again.Final.StatusCode, Is.EqualTo(400), again.ToString());
        Assert.That(again.Final.BodyText, Does.Contain("#completed-upload"));
    }

    [Test]
    public async Task AnAppendOverTheAppendLimitIs413WithTheLimits(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxAppendSize = 100);
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange exchange = await server.AppendAsync(path, 0, complete: false, new byte[101], cancellationToken);

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(413), exchange.ToString());
        Assert.That(exchange.Final.Header("Upload-Limit"), Does.Contain("max-append-size=100"));
    }

    [Test]
    public async Task AnAppendBelowTheMinimumIsRefusedUnlessItCompletes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MinAppendSize = 100);
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange small = await server.AppendAsync(path, 0, complete: false, new byte[10], cancellationToken);
        Exchange last = await server.AppendAsync(path, 0, complete: true, new byte[10], cancellationToken);

        Assert.That(small.Final.StatusCode, Is.EqualTo(400), small.ToString());
        Assert.That(last.Final.StatusCode, Is.EqualTo(200), last.ToString());
    }
}
