using System.Security.Cryptography;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Ietf;

/// <summary>
/// Creation on <c>/files</c> as the IETF draft has it, over raw loopback sockets (HttpClient drops 1xx): the 104 and
/// its gate, optimistic and careful creation, length rules and limits.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IetfCreationTests
{
    [Test]
    public async Task AnOptimisticUploadIsAnnouncedByA104AndAnsweredByTheApplicationOnce(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(300_000);

        Exchange exchange = await server.SendAsync("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\n", data, cancellationToken);

        RawHttpResponse announcement = exchange.Interim[0];
        Assert.Multiple(() =>
        {
            Assert.That(announcement.StatusCode, Is.EqualTo(104), exchange.ToString());
            Assert.That(announcement.Header("Upload-Draft-Interop-Version"), Is.EqualTo("9"));
            Assert.That(announcement.Header("Location"), Does.Match("^/files/[0-9a-f]{32}$"));
            Assert.That(announcement.Header("Upload-Limit"), Does.StartWith("min-size=0").And.Contain("max-age="));
            Assert.That(exchange.Interim.Where(r => r.Header("Location") is not null).Select(r => r.Header("Location")).Distinct().Count(), Is.EqualTo(1), "one Location in every 104");
            Assert.That(exchange.Final.StatusCode, Is.EqualTo(200));
            Assert.That(exchange.Final.Header("Upload-Complete"), Is.EqualTo("?1"));
            Assert.That(exchange.Final.Header("Location"), Is.EqualTo(announcement.Header("Location")));
            Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [TestCase("")]
    [TestCase("Upload-Draft-Interop-Version: 7\r\n")]
    [TestCase("Upload-Draft-Interop-Version: 99\r\n")]
    public async Task WithoutAVersionTheServerSpeaksTheUploadIsStillServedWithoutAny104(string versionField, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(1000);

        Exchange exchange = await server.SendAsync("POST", "/files", versionField + "Upload-Complete: ?1\r\n", data, cancellationToken);

        Assert.That(exchange.Interim, Is.Empty, exchange.ToString());
        Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
    }

    [Test]
    public async Task AnHttp10RequestGetsNoInterimResponseOfAnyKind(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(1000);

        Exchange exchange = await server.SendAsync("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\nExpect: 100-continue\r\n", data, cancellationToken, "HTTP/1.0");

        Assert.That(exchange.Interim, Is.Empty, exchange.ToString());
        Assert.That(exchange.Final.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task AClientExpecting100ContinueGetsItAfterThe104(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(1000);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\nExpect: 100-continue\r\nContent-Length: 1000\r\n"), cancellationToken);

        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync(data, cancellationToken);
        Exchange rest = await UploadTestServer.ReadExchangeAsync(client, "POST", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(104));
            Assert.That(second.StatusCode, Is.EqualTo(100), "a 104 does not replace the 100 the client waits for");
            Assert.That(rest.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
        });
    }

    [Test]
    public async Task ACarefulCreationWithoutContentAnswers201WithTheUploadsState(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxAppendSize = 1 << 20);

        Exchange exchange = await server.SendAsync("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?0\r\nUpload-Length: 5000\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(exchange.Final.StatusCode, Is.EqualTo(201), exchange.ToString());
            Assert.That(exchange.Final.Header("Location"), Is.EqualTo(exchange.Interim[0].Header("Location")));
            Assert.That(exchange.Final.Header("Upload-Complete"), Is.EqualTo("?0"));
            Assert.That(exchange.Final.Header("Upload-Offset"), Is.EqualTo("0"));
            Assert.That(exchange.Final.Header("Upload-Length"), Is.EqualTo("5000"));
            Assert.That(exchange.Final.Header("Upload-Limit"), Does.Contain("min-size=0").And.Contain("max-append-size=1048576"));
            Assert.That(server.Completions, Is.Zero);
        });
    }

    [Test]
    public async Task AnEmptyCompleteCreationIsAnEmptyRepresentation(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange exchange = await server.SendAsync("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult([])));
    }

    [Test]
    public async Task LengthsThatDisagreeAreAnInconsistentLengthProblem(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange exchange = await server.SendAsync("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\nUpload-Length: 999\r\n", new byte[1000], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(exchange.Final.StatusCode, Is.EqualTo(400));
            Assert.That(exchange.Final.Header("Content-Type"), Is.EqualTo("application/problem+json"));
            Assert.That(exchange.Final.BodyText, Does.Contain("#inconsistent-upload-length"));
            Assert.That(exchange.Interim, Is.Empty, "refused before anything was created");
        });
    }

    [Test]
    public async Task AnUploadOverTheMaximumSizeIsRefusedWith413AndTheLimits(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxSize = 500);

        Exchange exchange = await server.SendAsync("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?0\r\nUpload-Length: 501\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(exchange.Final.StatusCode, Is.EqualTo(413));
            Assert.That(exchange.Final.Header("Upload-Limit"), Does.Contain("max-size=500"));
        });
    }

    [TestCase(5, null)]
    [TestCase(6, "expires=")]
    [TestCase(8, "max-age=")]
    public async Task OlderInteropVersionsGetTheirOwnLimitFields(int version, string? ageKey, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange exchange = await server.SendAsync("POST", "/files", $"Upload-Draft-Interop-Version: {version}\r\nUpload-Complete: ?0\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        RawHttpResponse announcement = exchange.Interim.Single();
        Assert.Multiple(() =>
        {
            Assert.That(announcement.Header("Upload-Draft-Interop-Version"), Is.EqualTo(version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            Assert.That(announcement.Header("Upload-Limit"), ageKey is null ? Is.Null : Does.Contain(ageKey));
            Assert.That(exchange.Final.StatusCode, Is.EqualTo(201));
        });
    }

    [Test]
    public async Task AConnectionCutAfterThe104LeavesTheBytesThatArrivedResumable(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(200_000);
        string path;
        using (TestClient client = await server.ConnectAsync(cancellationToken))
        {
            await client.SendAsync(UploadTestServer.Head("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\nContent-Length: 200000\r\n"), cancellationToken);
            path = (await client.ReadResponseAsync(cancellationToken)).Header("Location")!;
            await client.SendAsync(data.AsMemory(0, 120_000), cancellationToken);

            // A FIN, not a reset: a reset could discard bytes the server had not read yet, and the test would race.
            client.ShutdownSend();
            _ = await client.ReadToEndAsync(cancellationToken);
        }

        long offset = await WaitForOffsetAsync(server, path, 120_000, cancellationToken);
        Exchange rest = await server.AppendAsync(path, offset, complete: true, data.AsMemory((int)offset), cancellationToken);

        Assert.That(rest.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), rest.ToString());
    }

    /// <summary>The offset once the cut request's hold let go (it keeps what arrived).</summary>
    internal static async Task<long> WaitForOffsetAsync(UploadTestServer server, string path, long expected, CancellationToken cancellationToken)
    {
        long offset = await server.OffsetAsync(path, cancellationToken);
        Assert.That(offset, Is.EqualTo(expected), "a HEAD ends the older request first, so its bytes are counted");
        return offset;
    }
}
