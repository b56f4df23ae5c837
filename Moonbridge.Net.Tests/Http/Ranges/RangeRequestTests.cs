using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Ranges;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Ranges;

/// <summary>
/// <see cref="HttpRequest.SendContentAsync"/> over raw loopback sockets: RFC 9110 §14 ranges (single, suffix,
/// open-ended, several as multipart/byteranges), 416, If-Range with entity tags and dates, and the fields a server may
/// ignore.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class RangeRequestTests
{
    private static readonly byte[] s_content = Encoding.ASCII.GetBytes("0123456789abcdefghijklmnopqrstuvwxyz"); // 36 bytes
    private static readonly DateTimeOffset s_modified = new(2026, 11, 2, 10, 20, 30, TimeSpan.Zero);

    [TestCase("bytes=0-9", "0123456789", "bytes 0-9/36")]
    [TestCase("bytes=30-", "uvwxyz", "bytes 30-35/36")]
    [TestCase("bytes=-4", "wxyz", "bytes 32-35/36")]
    [TestCase("bytes=34-100", "yz", "bytes 34-35/36")]
    [TestCase("BYTES = 10-10", "a", "bytes 10-10/36")]
    [TestCase("bytes=-100", "0123456789abcdefghijklmnopqrstuvwxyz", "bytes 0-35/36")]
    public async Task OneRangeIs206WithItsContentRange(string range, string expected, string contentRange, CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await server.RequestAsync("GET", "/doc", cancellationToken, $"Range: {range}\r\n");

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(206));
            Assert.That(response.Header("Content-Range"), Is.EqualTo(contentRange));
            Assert.That(response.BodyText, Is.EqualTo(expected));
            Assert.That(response.Header("Content-Type"), Is.EqualTo("text/plain"));
            Assert.That(response.Header("Accept-Ranges"), Is.EqualTo("bytes"));
            Assert.That(response.Header("ETag"), Is.EqualTo("\"v1\""));
        });
    }

    [Test]
    public async Task SeveralRangesAreAMultipartByterangesBody(CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await server.RequestAsync("GET", "/doc", cancellationToken, "Range: bytes=0-1, 10-12,-2\r\n");

        string type = response.Header("Content-Type")!;
        string boundary = type["multipart/byteranges; boundary=".Length..];
        string body = response.BodyText;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(206));
            Assert.That(type, Does.StartWith("multipart/byteranges; boundary="));
            Assert.That(response.Header("Content-Range"), Is.Null);
            Assert.That(body, Is.EqualTo(
                $"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/36\r\n\r\n01" +
                $"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 10-12/36\r\n\r\nabc" +
                $"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 34-35/36\r\n\r\nyz" +
                $"\r\n--{boundary}--\r\n"));
        });
    }

    [TestCase("bytes=36-")]
    [TestCase("bytes=100-200")]
    [TestCase("bytes=-0")]
    public async Task NoSatisfiableRangeIs416WithTheLength(string range, CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await server.RequestAsync("GET", "/doc", cancellationToken, $"Range: {range}\r\n");

        Assert.That(response.StatusCode, Is.EqualTo(416));
        Assert.That(response.Header("Content-Range"), Is.EqualTo("bytes */36"));
    }

    [TestCase("items=0-5")]
    [TestCase("bytes=5-2")]
    [TestCase("bytes=a-b")]
    [TestCase("bytes=")]
    [TestCase("bytes=0-0,1-1,2-2,3-3,4-4,5-5,6-6,7-7,8-8,9-9,10-10,11-11,12-12,13-13,14-14,15-15,16-16,17-17,18-18,19-19,20-20,21-21,22-22,23-23,24-24,25-25,26-26,27-27,28-28,29-29,30-30,31-31,32-32")]
    [TestCase("bytes=0-,0-,0-")]
    public async Task ARangeFieldTheServerMayIgnoreGetsTheWholeRepresentation(string range, CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await server.RequestAsync("GET", "/doc", cancellationToken, $"Range: {range}\r\n");

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Body, Is.EqualTo(s_content));
    }

    [TestCase("\"v1\"", 206)]
    [TestCase("\"v0\"", 200)]
    [TestCase("W/\"v1\"", 200)]
    [TestCase("Mon, 02 Nov 2026 10:20:30 GMT", 206)]
    [TestCase("Mon, 02 Nov 2026 10:20:31 GMT", 200)]
    [TestCase("yesterday", 200)]
    public async Task IfRangeLetsTheRangeApplyOnlyWhileTheValidatorHolds(string validator, int expected, CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await server.RequestAsync("GET", "/doc", cancellationToken, $"Range: bytes=0-3\r\nIf-Range: {validator}\r\n");

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        Assert.That(response.Body, Is.EqualTo(expected == 206 ? s_content[..4] : s_content));
    }

    [Test]
    public async Task HeadIgnoresTheRangeAndSendsOnlyTheHead(CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await server.RequestAsync("HEAD", "/doc", cancellationToken, "Range: bytes=0-3\r\n");

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Header("Content-Length"), Is.EqualTo("36"));
        Assert.That(response.Header("Last-Modified"), Is.EqualTo("Mon, 02 Nov 2026 10:20:30 GMT"));
        Assert.That(response.Body, Is.Empty);
    }

    [Test]
    public async Task ExtraHeadersGoWithEveryAnswer(CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse whole = await server.RequestAsync("GET", "/doc", cancellationToken);
        RawHttpResponse unsatisfiable = await server.RequestAsync("GET", "/doc", cancellationToken, "Range: bytes=99-\r\n");

        Assert.That(whole.Header("Cache-Control"), Is.EqualTo("max-age=60"));
        Assert.That(unsatisfiable.Header("Cache-Control"), Is.EqualTo("max-age=60"));
    }

    [Test]
    public async Task ADownloadCutShortResumesWithCurl(CancellationToken cancellationToken)
    {
        if (!System.IO.File.Exists("/usr/bin/curl"))
        {
            Assert.Ignore("curl is not installed.");
        }

        await using TestServer server = Start();
        using var directory = new TempDirectory();
        string file = directory.File("doc");
        await System.IO.File.WriteAllBytesAsync(file, s_content[..10], cancellationToken);

        // -C - asks for the rest from the file's length: Range: bytes=10-
        using var curl = System.Diagnostics.Process.Start("/usr/bin/curl", ["-s", "-C", "-", "-o", file, $"http://127.0.0.1:{server.Port}/doc"])!;
        await curl.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);

        Assert.That(curl.ExitCode, Is.Zero);
        Assert.That(await System.IO.File.ReadAllBytesAsync(file, cancellationToken), Is.EqualTo(s_content));
    }

    private static TestServer Start() => TestServer.StartHttp(TestServer.HttpOptions(), async (HttpRequest request, CancellationToken ct) =>
    {
        using var content = new MemoryStream(s_content, writable: false);
        await request.SendContentAsync(content, new RepresentationMetadata("text/plain", "\"v1\"", s_modified.AddMilliseconds(400)), [new("Cache-Control", "max-age=60")], ct);
        return true;
    });
}
