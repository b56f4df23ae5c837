using System.Net;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>How deliveries are framed: one chunk each for HTTP/1.1, a close-delimited body for HTTP/1.0.</summary>
[TestFixture]
public sealed class EsiFramingTests
{
    private const int TestMilliseconds = 15_000;

    private static readonly EsiHandler s_threeDeliveries = async (session, environment, input, ct) =>
    {
        await session.DeliverAsync("content-type: text/plain\r\n\r\n", ct);
        await session.DeliverAsync("one", ct);
        session.Deliver("two"u8);
        await session.DeliverAsync("three", ct);
        return null;
    };

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OverHttp11EachDeliveryGoesOutAsItsOwnChunk(CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);

        Assert.That(response.Version, Is.EqualTo("HTTP/1.1"));
        Assert.That(response.Framing, Is.EqualTo(BodyFraming.Chunked));
        Assert.That(response.ChunkSizes, Is.EqualTo((int[])[3, 3, 5, 0]));
        Assert.That(response.BodyText, Is.EqualTo("onetwothree"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OverHttp10TheBodyEndsWithTheConnection(CancellationToken cancellationToken)
    {
        await using TestServer server = Start();

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken, version: "HTTP/1.0");

        Assert.That(response.Framing, Is.EqualTo(BodyFraming.UntilClose));
        Assert.That(response.Header("Connection"), Is.EqualTo("close"));
        Assert.That(response.HeaderNames, Has.None.EqualTo("Transfer-Encoding").IgnoreCase);
        Assert.That(response.BodyText, Is.EqualTo("onetwothree"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AHeadRequestGetsTheHeadersOnly(CancellationToken cancellationToken)
    {
        await using TestServer server = Start();
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("HEAD /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\nGET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse head = await client.ReadResponseAsync(cancellationToken, forHead: true);
        RawHttpResponse get = await client.ReadResponseAsync(cancellationToken);

        Assert.That(head.StatusCode, Is.EqualTo(200));
        Assert.That(head.Header("Content-Type"), Is.EqualTo("text/plain"));
        Assert.That(get.BodyText, Is.EqualTo("onetwothree"), "no body bytes of the HEAD response were left on the connection");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheFirstDeliveryReachesTheClientBeforeTheScriptEnds(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var proceed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            await session.DeliverAsync("x-step: 1\r\n\r\nfirst;", ct);
            await proceed.Task.WaitAsync(ct);
            await session.DeliverAsync("second", ct);
            return null;
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /esi/t/f HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        await client.WaitForAsync("first;", cancellationToken);
        proceed.SetResult();
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.Header("x-step"), Is.EqualTo("1"));
        Assert.That(response.BodyText, Is.EqualTo("first;second"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task HttpClientReadsAStreamedEsiResponseOverHttp11AndHttp10(CancellationToken cancellationToken)
    {
        await using TestServer server = Start();
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(10) };

        foreach (Version version in new[] { HttpVersion.Version11, HttpVersion.Version10 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/esi/t/f") { Version = version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
            Assert.That(await response.Content.ReadAsStringAsync(cancellationToken), Is.EqualTo("onetwothree"), version.ToString());
        }
    }

    private static TestServer Start() => EsiServer.Start(EsiServer.Options(new EsiLogCapture()), EsiServer.One(s_threeDeliveries));
}
