using System.Security.Cryptography;
using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Ietf;

/// <summary>
/// The upload resource and what hangs off it: offset retrieval, cancellation, discovery, owner binding, expiry, the
/// stored result and the content.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IetfResourceTests
{
    private static readonly string[] s_stateAfter300 = ["300", "?0", "1000", "no-store"];

    [Test]
    public async Task HeadAndGetReportTheSameStateAndAreNotCached(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(1000, cancellationToken);
        await server.AppendAsync(path, 0, complete: false, new byte[300], cancellationToken);

        Exchange head = await server.SendAsync("HEAD", path, "Upload-Draft-Interop-Version: 9\r\n", cancellationToken);
        Exchange get = await server.SendAsync("GET", path, "Upload-Draft-Interop-Version: 9\r\n", cancellationToken);

        string[] fields = ["Upload-Offset", "Upload-Complete", "Upload-Length", "Cache-Control"];
        Assert.Multiple(() =>
        {
            Assert.That(head.Final.StatusCode, Is.EqualTo(204));
            Assert.That(fields.Select(head.Final.Header), Is.EqualTo(s_stateAfter300));
            Assert.That(fields.Select(get.Final.Header), Is.EqualTo(fields.Select(head.Final.Header)));
            Assert.That(head.Final.Header("Upload-Limit"), Does.Contain("min-size=0").And.Contain("max-age="));
        });
    }

    [Test]
    public async Task UnknownIdsAreNotFoundAndMalformedOnesAreNotUploadUrlsAtAll(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange unknown = await server.SendAsync("HEAD", "/files/" + new string('a', 32), "", cancellationToken);
        Exchange malformed = await server.SendAsync("HEAD", "/files/../../etc/passwd", "", cancellationToken);

        Assert.That(unknown.Final.StatusCode, Is.EqualTo(404));
        Assert.That(unknown.Final.Header("Upload-Offset"), Is.Null);
        Assert.That(malformed.Final.StatusCode, Is.EqualTo(404), "left to the application, which answers 404");
    }

    [Test]
    public async Task DeleteRemovesTheUploadForEveryone(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange deleted = await server.SendAsync("DELETE", path, "", cancellationToken);
        Exchange head = await server.SendAsync("HEAD", path, "", cancellationToken);
        Exchange again = await server.SendAsync("DELETE", path, "", cancellationToken);

        Assert.That((deleted.Final.StatusCode, head.Final.StatusCode, again.Final.StatusCode), Is.EqualTo((204, 404, 404)));
        Assert.That(Directory.GetFiles(server.Directory), Is.Empty, "data and metadata removed");
    }

    [Test]
    public async Task OptionsOnTheCreationEndpointAnnouncesTheLimits(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxSize = 1 << 30);

        Exchange options = await server.SendAsync("OPTIONS", "/files", "", cancellationToken);

        Assert.That(options.Final.StatusCode, Is.EqualTo(204));
        Assert.That(options.Final.Header("Upload-Limit"), Is.EqualTo("max-size=1073741824, min-size=0"));
    }

    [Test]
    public async Task AnotherOwnersRequestFindsNothing(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken, "X-Owner: alice\r\n");

        Exchange bob = await server.SendAsync("PATCH", path, UploadTestServer.AppendHeaders(0, false) + "X-Owner: bob\r\nContent-Length: 1\r\n\r\nx", cancellationToken);
        Exchange anonymous = await server.SendAsync("HEAD", path, "", cancellationToken);
        Exchange alice = await server.SendAsync("HEAD", path, "X-Owner: alice\r\n", cancellationToken);
        Exchange bobDeletes = await server.SendAsync("DELETE", path, "X-Owner: bob\r\n", cancellationToken);

        Assert.That(
            (bob.Final.StatusCode, anonymous.Final.StatusCode, alice.Final.StatusCode, bobDeletes.Final.StatusCode),
            Is.EqualTo((404, 404, 204, 404)));
    }

    [Test]
    public async Task AnExpiredUploadIsGoneAndTheSweeperRemovesIt(CancellationToken cancellationToken)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = UploadTestServer.Start(o =>
        {
            o.TimeProvider = clock;
            o.Lifetime = TimeSpan.FromHours(1);
            o.SweepInterval = TimeSpan.Zero;
        });
        string path = await server.CreateAsync(null, cancellationToken);

        clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        Exchange head = await server.SendAsync("HEAD", path, "", cancellationToken);
        int removed = await server.Uploads.RemoveExpiredAsync(cancellationToken);

        Assert.That(head.Final.StatusCode, Is.EqualTo(404));
        Assert.That(removed, Is.EqualTo(1));
        Assert.That(Directory.GetFiles(server.Directory), Is.Empty);
    }

    [Test]
    public async Task TheResultIsNotFoundBeforeCompletionAndReplayedAfter(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(10_000);
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange early = await server.SendAsync("GET", path + "/result", "", cancellationToken);
        await server.AppendAsync(path, 0, complete: true, data, cancellationToken);
        Exchange result = await server.SendAsync("GET", path + "/result", "", cancellationToken);
        Exchange message = await server.SendAsync("GET", path + "/result", "Accept: message/http\r\n", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(early.Final.StatusCode, Is.EqualTo(404));
            Assert.That(result.Final.StatusCode, Is.EqualTo(200));
            Assert.That(result.Final.Header("Content-Type"), Is.EqualTo("application/json"));
            Assert.That(result.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
            Assert.That(message.Final.Header("Content-Type"), Is.EqualTo("message/http"));
            Assert.That(message.Final.BodyText, Does.StartWith("HTTP/1.1 200 OK\r\n").And.EndWith("\r\n\r\n" + UploadTestServer.ExpectedResult(data)));
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task TheContentOfACompletedUploadIsServedWithItsMediaType(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(150_000);
        string path = await server.CreateAsync(null, cancellationToken, "Content-Type: image/png\r\n");
        Exchange early = await server.SendAsync("GET", path + "/content", "", cancellationToken);
        await server.AppendAsync(path, 0, complete: true, data, cancellationToken);

        Exchange content = await server.SendAsync("GET", path + "/content", "", cancellationToken);

        Assert.That(early.Final.StatusCode, Is.EqualTo(404));
        Assert.That(content.Final.Header("Content-Type"), Is.EqualTo("image/png"));
        Assert.That(content.Final.Body, Is.EqualTo(data));
    }

    [Test]
    public async Task AFailingCompletionHandlerIsAnsweredWith500OnceAndThatAnswerIsKept(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(completed: (_, _) => throw new InvalidOperationException("boom"));
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange done = await server.AppendAsync(path, 0, complete: true, new byte[3], cancellationToken);
        Exchange result = await server.SendAsync("GET", path + "/result", "", cancellationToken);

        Assert.That((done.Final.StatusCode, result.Final.StatusCode), Is.EqualTo((500, 500)));
        Assert.That(done.Final.BodyText, Does.Not.Contain("boom"), "no exception text to the client");
        Assert.That(server.Completions, Is.EqualTo(1));
    }
}
