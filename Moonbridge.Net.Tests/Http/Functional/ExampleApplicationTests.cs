using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

/// <summary>The example application, run as its own process, driven by HttpClient and curl.</summary>
[TestFixture]
public sealed class ExampleApplicationTests : IDisposable
{
    private const int TestMilliseconds = 30_000;
    private const int EchoLength = 5 * 1000 * 1000;
    private const string Curl = "/usr/bin/curl";

    private ExampleServerProcess _example = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartExampleApplication()
    {
        using var startLimit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _example = await ExampleServerProcess.StartAsync(startLimit.Token);
        _client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseProxy = false })
        {
            BaseAddress = _example.BaseUri,
            Timeout = TimeSpan.FromSeconds(20),
        };
    }

    /// <summary>Kills the example application (by its process id); NUnit disposes a fixture after its last test.</summary>
    public void Dispose()
    {
        _client?.Dispose();
        _example?.Dispose();
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheRootRedirectsWith303ToTheExamplePage(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _client.GetAsync("/", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.SeeOther));
        Assert.That(response.Headers.Location, Is.EqualTo(new Uri(_example.BaseUri, "/example_webpage.html")));
        Assert.That(response.Headers.Server.ToString(), Is.EqualTo("Moonbridge Example Server"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheExamplePageIsServedAsHtml(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _client.GetAsync("/example_webpage.html", cancellationToken);
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(body, Is.EqualTo(File.ReadAllBytes(Path.Combine(ExampleServerProcess.RepositoryRoot, "examples", "Example", "wwwroot", "example_webpage.html"))));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnknownPageIs404(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _client.GetAsync("/nope", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(await response.Content.ReadAsStringAsync(cancellationToken), Does.Contain("404 Not Found"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task DeleteIs405(CancellationToken cancellationToken)
    {
        using HttpResponseMessage response = await _client.DeleteAsync("/", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
    }

    [TestCase("DELETE", "/", "GET, HEAD")]
    [TestCase("PUT", "/example_webpage.html", "GET, HEAD")]
    [TestCase("OPTIONS", "/echo", "POST, PUT, PATCH, DELETE")]
    [TestCase("PUT", "/upload", "POST")]
    [TestCase("PATCH", "/job", "POST")]
    [CancelAfter(TestMilliseconds)]
    public async Task Every405ListsTheAllowedMethods(string method, string path, string allowed, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        using HttpResponseMessage response = await _client.SendAsync(request, cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.MethodNotAllowed));
        Assert.That(response.Content.Headers.Allow, Is.EqualTo(allowed.Split(", ")));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnHttp10RequestWithoutHostIsRedirectedWithARelativeLocation(CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(_example.Port, cancellationToken);
        await client.SendAsync("GET / HTTP/1.0\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(303));
        Assert.That(response.Header("Location"), Is.EqualTo("/example_webpage.html"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AMultipartUploadOfTwoFilesAndACommentListsBothFilesWithTheirSizesAndTheEscapedComment(CancellationToken cancellationToken)
    {
        byte[] first = new byte[123_456];
        Random.Shared.NextBytes(first);
        using var form = new MultipartFormDataContent("example-boundary-3b7");
        using var firstContent = new ByteArrayContent(first);
        firstContent.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var secondContent = new StringContent("small <text> file\n", Encoding.UTF8, "text/plain");
        using var comment = new StringContent("Tom & Jerry <3 \"quotes\"");
        form.Add(firstContent, "files", "first.bin");
        form.Add(secondContent, "files", "second.txt");
        form.Add(comment, "comment");

        using HttpResponseMessage response = await _client.PostAsync("/post_example", form, cancellationToken);
        string page = await response.Content.ReadAsStringAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), page);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        Assert.That(page, Does.Contain("<tr><td>first.bin</td><td>application/octet-stream</td><td>123456</td></tr>"));
        Assert.That(page, Does.Contain("<tr><td>second.txt</td><td>text/plain; charset=utf-8</td><td>18</td></tr>"));
        Assert.That(page, Does.Contain("Comment: <em>Tom &amp; Jerry &lt;3 &quot;quotes&quot;</em>"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A5MBBodyWithAContentLengthIsEchoedExactly(CancellationToken cancellationToken)
    {
        byte[] data = RandomBody();
        using var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");

        using HttpResponseMessage response = await _client.PostAsync("/echo", content, cancellationToken);
        byte[] echoed = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/octet-stream"));
        Assert.That(echoed.AsSpan().SequenceEqual(data), Is.True, $"{echoed.Length} bytes echoed for {data.Length}");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A5MBChunkedBodyOfUnknownLengthIsEchoedExactly(CancellationToken cancellationToken)
    {
        byte[] data = RandomBody();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new UnknownLengthContent(data, 100_000) };
        request.Headers.TransferEncodingChunked = true;

        using HttpResponseMessage response = await _client.SendAsync(request, cancellationToken);
        byte[] echoed = await response.Content.ReadAsByteArrayAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Headers.TransferEncodingChunked, Is.True);
        Assert.That(echoed.AsSpan().SequenceEqual(data), Is.True, $"{echoed.Length} bytes echoed for {data.Length}");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A5MBBodySentByCurlIsEchoedExactly([Values] bool chunked)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        if (!File.Exists(Curl))
        {
            Assert.Ignore($"{Curl} is not installed.");
        }

        using var directory = new TempDirectory();
        byte[] data = RandomBody();
        string input = directory.File("in.bin");
        string output = directory.File("out.bin");
        await File.WriteAllBytesAsync(input, data, cancellationToken);
        var arguments = new List<string> { "-sS", "--fail", "--data-binary", "@" + input, "-H", "Content-Type: application/octet-stream", "-o", output };
        if (chunked)
        {
            arguments.AddRange(["-H", "Transfer-Encoding: chunked"]);
        }

        arguments.Add(new Uri(_example.BaseUri, "/echo").ToString());
        (int exitCode, string errors) = await RunAsync(Curl, arguments, cancellationToken);

        Assert.That(exitCode, Is.Zero, errors);
        byte[] echoed = await File.ReadAllBytesAsync(output, cancellationToken);
        Assert.That(echoed.AsSpan().SequenceEqual(data), Is.True, $"{echoed.Length} bytes echoed for {data.Length}");
    }

    private static byte[] RandomBody()
    {
        byte[] data = new byte[EchoLength];
        Random.Shared.NextBytes(data);
        return data;
    }

    private static async Task<(int ExitCode, string Errors)> RunAsync(string program, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        Task<string> errors = process.StandardError.ReadToEndAsync(cancellationToken);
        Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        }
        catch
        {
            process.Kill();
            throw;
        }

        return (process.ExitCode, await errors + await output);
    }
}
