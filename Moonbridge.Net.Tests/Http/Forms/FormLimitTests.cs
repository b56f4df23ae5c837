using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>
/// <see cref="FormOptions"/> over loopback: each limit is answered with 413 naming it, a form just inside the
/// limits is accepted, and a form is only parsed when the handler asks for it.
/// </summary>
[TestFixture]
public sealed class FormLimitTests
{
    private const int TestMilliseconds = 15_000;
    private const string UrlEncoded = "application/x-www-form-urlencoded";

    public static IEnumerable<TestCaseData> Overruns()
    {
        yield return Case("too many urlencoded values", UrlEncoded, Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, 11).Select(i => $"v{i}=1"))), "ValueCountLimit", o => o.ValueCountLimit = 10);
        yield return Case("urlencoded key too long", UrlEncoded, Encoding.ASCII.GetBytes(new string('k', 33) + "=1"), "KeyLengthLimit", o => o.KeyLengthLimit = 32);
        yield return Case("urlencoded flag too long", UrlEncoded, Encoding.ASCII.GetBytes("a=1&" + new string('k', 33)), "KeyLengthLimit", o => o.KeyLengthLimit = 32);
        yield return Case("urlencoded value too long", UrlEncoded, Encoding.ASCII.GetBytes("a=" + new string('v', 1025)), "ValueLengthLimit", o => o.ValueLengthLimit = 1024);
        yield return Case("urlencoded total too large", UrlEncoded, Encoding.ASCII.GetBytes(string.Join("&", Enumerable.Range(0, 5).Select(i => $"v={new string('x', 1000)}"))), "BufferedFormSizeLimit", o => o.BufferedFormSizeLimit = 4000);
        yield return Case("too many multipart parts", MultipartBody.ContentType, MultipartBody.Build([.. Enumerable.Range(0, 9).Select(i => FormPart.Text($"p{i}", "x"))]), "MultipartPartCountLimit", o => o.MultipartPartCountLimit = 8);
        yield return Case("too many multipart values", MultipartBody.ContentType, MultipartBody.Build([.. Enumerable.Range(0, 9).Select(i => FormPart.Text($"p{i}", "x"))]), "ValueCountLimit", o => o.ValueCountLimit = 8);
        yield return Case("multipart name too long", MultipartBody.ContentType, MultipartBody.Build(FormPart.Text(new string('n', 33), "x")), "KeyLengthLimit", o => o.KeyLengthLimit = 32);
        yield return Case("multipart part too long", MultipartBody.ContentType, MultipartBody.Build(new FormPart("f", new byte[1025], "f.bin")), "ValueLengthLimit", o => o.ValueLengthLimit = 1024);
        yield return Case("multipart total too large", MultipartBody.ContentType, MultipartBody.Build([.. Enumerable.Range(0, 5).Select(i => new FormPart("f", new byte[1000], "f.bin"))]), "BufferedFormSizeLimit", o => o.BufferedFormSizeLimit = 4000);
        yield return Case("multipart part header too large", MultipartBody.ContentType, MultipartBody.Build(new FormPart("f", [1], new string('n', 300) + ".bin")), "MultipartHeaderSizeLimit", o => o.MultipartHeaderSizeLimit = 256);
    }

    [TestCaseSource(nameof(Overruns))]
    [CancelAfter(TestMilliseconds)]
    public async Task AFormOverALimitIsAnsweredWith413NamingTheLimit(string contentType, byte[] body, string limitName, Action<FormOptions> limit)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        limit(options.Forms);
        await using TestServer server = TestServer.StartHttp(options, request =>
        {
            _ = request.PostParams;
            request.SendStatus(200);
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/form", contentType, body.Length), cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(413));
        Assert.That(response.BodyText, Does.Contain("FormOptions." + limitName));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFormExactlyAtEveryLimitIsAccepted()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.Forms.ValueCountLimit = 3;
        options.Forms.KeyLengthLimit = 4;
        options.Forms.ValueLengthLimit = 8;
        options.Forms.BufferedFormSizeLimit = 3 * (4 + 8);
        string body = "kkk1=vvvvvvvv&kkk2=vvvvvvvv&kkk3=vvvvvvvv";
        int count = 0;
        await using TestServer server = TestServer.StartHttp(options, request =>
        {
            count = request.PostParams.Count;
            request.SendStatus(200);
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/form", UrlEncoded, body.Length) + body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200), response.BodyText);
        Assert.That(count, Is.EqualTo(3));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task StreamedPartsAreNotHeldToTheValueLengthOrBufferedSizeLimits()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.Forms.ValueLengthLimit = 1024;
        options.Forms.BufferedFormSizeLimit = 2048;
        byte[] file = FormBytesTests.RandomBytes(64 * 1024, seed: 5);
        byte[] body = MultipartBody.Build(new FormPart("upload", file, "big.bin"), FormPart.Text("comment", "ok"));
        long streamed = 0;
        string? comment = null;
        await using TestServer server = TestServer.StartHttp(options, request =>
        {
            request.StreamPostParam("upload", (_, data, _) => streamed += data.Length);
            comment = request.PostParams["comment"];
            request.SendStatus(200);
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/form", MultipartBody.ContentType, body.Length), cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200), response.BodyText);
        Assert.That(streamed, Is.EqualTo(file.Length));
        Assert.That(comment, Is.EqualTo("ok"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFormTheHandlerNeverAsksForIsNotParsedAndTheConnectionGoesOn()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        // Malformed (no close delimiter) and over the value count limit: parsing it would answer 400 or 413.
        HttpOptions options = TestServer.HttpOptions();
        options.Forms.ValueCountLimit = 1;
        byte[] body = Encoding.ASCII.GetBytes($"--{MultipartBody.Boundary}\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--{MultipartBody.Boundary}\r\nContent-Disposition: form-data; name=b\r\n\r\n2");
        await using TestServer server = TestServer.StartHttp(options, request =>
        {
            request.SendStatus(404);
            request.SendData("no such page\n");
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/nowhere", MultipartBody.ContentType, body.Length), cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync("GET /again HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That(first.StatusCode, Is.EqualTo(404));
        Assert.That(first.BodyText, Is.EqualTo("no such page\n"));
        Assert.That(second.StatusCode, Is.EqualTo(404), "the unread body was drained, so the connection serves the next request");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFormCanStillBeReadAfterTheResponseHasBegun()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        const string body = "a=1&b=2";
        string? seen = null;
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), request =>
        {
            request.SendStatus(200);
            request.SendData("started\n");
            seen = request.PostParams["b"];
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/form", UrlEncoded, body.Length) + body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(seen, Is.EqualTo("2"));
    }

    [Test]
    public void InvalidFormLimitsAreRefusedWhenTheHandlerIsCreated()
    {
        var options = new HttpOptions();
        options.Forms.ValueCountLimit = 0;

        Assert.Throws<ArgumentOutOfRangeException>(() => HttpHandler.Create(options, _ => true));
    }

    private static TestCaseData Case(string name, string contentType, byte[] body, string limitName, Action<FormOptions> limit) =>
        new TestCaseData(contentType, body, limitName, limit).SetArgDisplayNames(name);
}
