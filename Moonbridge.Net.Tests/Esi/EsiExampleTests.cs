using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using EsiExample;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>The functions of examples/Esi, served in-process and driven by HttpClient.</summary>
[TestFixture]
public sealed class EsiExampleTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheExampleServesItsPageItsStreamAndAChunkedUpload(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        EsiRouter router = EsiDemo.CreateRouter(new EsiOptions { LoggerFactory = log, MaximumBodyChunkSize = 8 * 1024 });
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), router.ToRequestHandler(EsiDemo.IndexAsync));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(15) };

        string index = await client.GetStringAsync("/", cancellationToken);
        string page = await client.GetStringAsync("/esi/demo/page?name=%3Cb%3E", cancellationToken);
        using HttpResponseMessage stream = await client.GetAsync("/esi/demo/stream?count=4&delay_ms=10", cancellationToken);
        string lines = await stream.Content.ReadAsStringAsync(cancellationToken);
        byte[] upload = new byte[200_000];
        new Random(11).NextBytes(upload);
        using HttpResponseMessage uploaded = await client.PostAsync("/esi/demo/upload", new ByteArrayContent(upload), cancellationToken);
        using JsonDocument summary = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync(cancellationToken));
        using HttpResponseMessage wrongMethod = await client.GetAsync("/esi/demo/upload", cancellationToken);
        using HttpResponseMessage indexWrongMethod = await client.PostAsync("/", new StringContent("x"), cancellationToken);

        Assert.That(index, Does.Contain("/esi/demo/stream"));
        Assert.That(page, Does.Contain("Hello, &lt;b&gt;").And.Contain("server_software").And.Contain("http_host"));
        Assert.That(stream.Headers.TransferEncodingChunked, Is.True);
        Assert.That(lines, Is.EqualTo("line 1 of 4\nline 2 of 4\nline 3 of 4\nline 4 of 4\n"));
        Assert.That(uploaded.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(summary.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(upload.Length));
        Assert.That(summary.RootElement.GetProperty("chunks").GetInt32(), Is.EqualTo((upload.Length + 8191) / 8192));
        Assert.That(summary.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(upload))));
        Assert.That(wrongMethod.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(wrongMethod.Content.Headers.Allow, Is.EqualTo((string[])["POST"]));
        Assert.That(indexWrongMethod.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(indexWrongMethod.Content.Headers.Allow, Is.EqualTo((string[])["GET", "HEAD"]));
        Assert.That(log.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning), Is.Empty, log.ToString());
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheIndexPageUploadsWithFetchAsABrowserSendsIt(CancellationToken cancellationToken)
    {
        EsiRouter router = EsiDemo.CreateRouter(new EsiOptions { MaximumBodyChunkSize = 64 * 1024 });
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), router.ToRequestHandler(EsiDemo.IndexAsync));
        using TestClient client = await server.ConnectAsync(cancellationToken);
        byte[] file = new byte[150_000];
        new Random(5).NextBytes(file);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse index = await client.ReadResponseAsync(cancellationToken);

        // What Chromium sends for the page's fetch: the file itself as the body, with the type the page sets.
        string origin = $"http://127.0.0.1:{server.Port}";
        await client.SendAsync(
            "POST /esi/demo/upload HTTP/1.1\r\n" +
            $"Host: 127.0.0.1:{server.Port}\r\n" +
            "Connection: keep-alive\r\n" +
            $"Content-Length: {file.Length}\r\n" +
            "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36\r\n" +
            "Content-Type: application/octet-stream\r\n" +
            "Accept: */*\r\n" +
            $"Origin: {origin}\r\n" +
            "Sec-Fetch-Site: same-origin\r\n" +
            "Sec-Fetch-Mode: cors\r\n" +
            "Sec-Fetch-Dest: empty\r\n" +
            $"Referer: {origin}/\r\n" +
            "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
            "Accept-Language: en-US\r\n\r\n",
            cancellationToken);
        await client.SendAsync(file, cancellationToken);
        RawHttpResponse uploaded = await client.ReadResponseAsync(cancellationToken);
        using JsonDocument summary = JsonDocument.Parse(uploaded.BodyText);

        Assert.That(index.BodyText, Does.Contain("fetch(\"/esi/demo/upload\"").And.Not.Contain("enctype"));
        Assert.That(uploaded.StatusCode, Is.EqualTo(201));
        Assert.That(summary.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(file.Length));
        Assert.That(summary.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(file))));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheUploadFunctionAlsoWorksWithWholeInputAndASmallBody(CancellationToken cancellationToken)
    {
        EsiRouter router = EsiDemo.CreateRouter(new EsiOptions());
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), router.ToRequestHandler());
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(15) };

        using HttpResponseMessage uploaded = await client.PostAsync("/esi/demo/upload", new StringContent("abc"), cancellationToken);
        using JsonDocument summary = JsonDocument.Parse(await uploaded.Content.ReadAsStringAsync(cancellationToken));

        Assert.That(summary.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(3));
        Assert.That(summary.RootElement.GetProperty("chunks").GetInt32(), Is.EqualTo(1));
    }
}
