using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.ByteRange;

/// <summary>
/// draft-wright-http-resume-request over raw loopback sockets: <c>Prefer: resume</c> names the request's content and
/// response in its <c>100 Continue</c>; a cut request is resumed by HEAD and a <c>message/byterange</c> PATCH.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class ResumableRequestTests
{
    [Test]
    public async Task PreferResumeNamesBothLocationsInThe100AndTheAnswerIsTheApplications(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(50_000);

        Exchange exchange = await server.SendAsync("POST", "/files", "Prefer: resume, transaction=persist\r\nExpect: 100-continue\r\n", data, cancellationToken);

        RawHttpResponse proceed = exchange.Interim.Single();
        string content = proceed.Header("Request-Content-Location")!;
        Exchange message = await server.SendAsync("GET", proceed.Header("Response-Message-Location")!, "Accept: message/http\r\n", cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(proceed.StatusCode, Is.EqualTo(100), exchange.ToString());
            Assert.That(content, Does.Match("^/files/[0-9a-f]{32}$"));
            Assert.That(proceed.Header("Response-Message-Location"), Is.EqualTo(content + "/result"));
            Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
            Assert.That(exchange.Final.Header("Preference-Applied"), Is.EqualTo("transaction=persist"));
            Assert.That(message.Final.Header("Content-Type"), Is.EqualTo("message/http"));
            Assert.That(message.Final.BodyText, Does.EndWith(UploadTestServer.ExpectedResult(data)));
        });
    }

    [TestCase("bytes {0}-{1}/{2}")]
    [TestCase("{0}-{1}/{2}")]
    [TestCase("bytes {0}-/{2}")]
    [TestCase("bytes {0}-{1}/*")]
    public async Task ACutRequestIsResumedByHeadAndAByteRangePatch(string contentRange, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(200_000);
        string location = await CutResumableRequestAsync(server, data, 80_000, "Prefer: resume\r\n", cancellationToken);

        Exchange head = await server.SendAsync("HEAD", location, "", cancellationToken);
        long kept = long.Parse(head.Final.Header("Content-Length")!, CultureInfo.InvariantCulture);
        string range = string.Format(CultureInfo.InvariantCulture, contentRange, kept, data.Length - 1, data.Length);
        Exchange resumed = await server.SendAsync("PATCH", location, "Content-Type: message/byterange\r\n", Part(range, data.AsSpan((int)kept)), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(head.Final.StatusCode, Is.EqualTo(200));
            Assert.That(kept, Is.EqualTo(80_000), "a FIN delivers every byte sent before it");
            Assert.That(resumed.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), resumed.ToString());
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task IgnoreIncompleteDiscardsACutRequest(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        string location = await CutResumableRequestAsync(server, new byte[10_000], 5000, "Prefer: resume=ignore-incomplete\r\n", cancellationToken);
        Exchange head = await server.SendAsync("HEAD", location, "", cancellationToken);

        Assert.That(head.Final.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task PreferAcknowledgeRepeats100sWithTheDurableBytes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(400_000);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("POST", "/files", $"Prefer: resume, acknowledge\r\nContent-Length: {data.Length}\r\n"), cancellationToken);
        _ = await client.ReadResponseAsync(cancellationToken);

        long acknowledged = 0;
        int sent = 0;
        while (acknowledged == 0 && sent < data.Length)
        {
            await client.SendAsync(data.AsMemory(sent, 1000), cancellationToken);
            sent += 1000;
            if (client.HasInputWithin(TimeSpan.FromMilliseconds(20)))
            {
                RawHttpResponse acknowledgement = await client.ReadResponseAsync(cancellationToken);
                Assert.That(acknowledgement.StatusCode, Is.EqualTo(100));
                acknowledged = long.Parse(acknowledgement.Header("Acknowledge")!, CultureInfo.InvariantCulture);
            }
        }

        Assert.That(acknowledged, Is.InRange(1, sent));
    }

    [Test]
    public async Task AGetOfTheRequestContentIs405WithTheMethodsItTakes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string location = await CutResumableRequestAsync(server, new byte[1000], 500, "Prefer: resume\r\n", cancellationToken);

        Exchange get = await server.SendAsync("GET", location, "", cancellationToken);

        Assert.That(get.Final.StatusCode, Is.EqualTo(405));
        Assert.That(get.Final.Header("Allow"), Is.EqualTo("HEAD, PATCH, DELETE"));
    }

    [Test]
    public async Task DeletingTheResponseMessageEndsTheUpload(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        Exchange done = await server.SendAsync("POST", "/files", "Prefer: resume\r\n", new byte[10], cancellationToken);
        string result = done.Interim[0].Header("Response-Message-Location")!;

        Exchange deleted = await server.SendAsync("DELETE", result, "", cancellationToken);
        Exchange again = await server.SendAsync("GET", result, "", cancellationToken);

        Assert.That((deleted.Final.StatusCode, again.Final.StatusCode), Is.EqualTo((204, 404)));
    }

    [Test]
    public async Task WithoutPreferResumeNoLocationsAreSent(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange exchange = await server.SendAsync("POST", "/files", "Expect: 100-continue\r\n", new byte[10], cancellationToken);

        Assert.That(exchange.Interim.Single().Header("Request-Content-Location"), Is.Null, exchange.ToString());
        Assert.That(exchange.Final.StatusCode, Is.EqualTo(200));
    }

    /// <summary>Starts a resumable request, sends <paramref name="sent"/> bytes and half-closes; returns the content location.</summary>
    internal static async Task<string> CutResumableRequestAsync(UploadTestServer server, byte[] data, int sent, string prefer, CancellationToken cancellationToken)
    {
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("POST", "/files", prefer + $"Expect: 100-continue\r\nContent-Length: {data.Length}\r\n"), cancellationToken);
        RawHttpResponse proceed = await client.ReadResponseAsync(cancellationToken);
        await client.SendAsync(data.AsMemory(0, sent), cancellationToken);
        client.ShutdownSend();
        _ = await client.ReadToEndAsync(cancellationToken);
        return proceed.Header("Request-Content-Location")!;
    }

    /// <summary>A <c>message/byterange</c> document: the part's fields, an empty line, its bytes.</summary>
    internal static byte[] Part(string contentRange, ReadOnlySpan<byte> bytes, string extraFields = "")
        => [.. Encoding.ASCII.GetBytes($"Content-Range: {contentRange}\r\n{extraFields}\r\n"), .. bytes];
}
