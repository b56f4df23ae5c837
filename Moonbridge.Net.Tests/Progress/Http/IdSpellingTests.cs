using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>Where an upload's id may come from, and which ids are refused.</summary>
[TestFixture]
public sealed class IdSpellingTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnIdInTheQueryIsTrackedWhateverTheCaseOfItsName(
        [Values("X-Progress-Id", "X-Progress-ID", "x-progress-id")] string name)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, $"/upload?{name}=spelled", 64, cancellationToken);

        Assert.That(result.TrackedId, Is.EqualTo("spelled"));
        await ProgressProbe.WaitForAsync(server.Port, "spelled", ProgressJsonText.Done(64, result.WireLength, 64, RawUpload.LengthOf(result.Body)), cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnIdInTheXProgressIdHeaderIsTrackedAndCanBePolledByHeaderToo()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload", 64, cancellationToken, extraHeaders: "X-Progress-ID: by-header\r\n");
        await ProgressProbe.WaitForAsync(server.Port, "by-header", ProgressJsonText.Done(64, result.WireLength, 64, RawUpload.LengthOf(result.Body)), cancellationToken);
        var polledByHeader = await ProgressProbe.GetAsync(server.Port, "/progress", cancellationToken, "X-Progress-ID: by-header\r\n");

        Assert.That(result.TrackedId, Is.EqualTo("by-header"));
        Assert.That(polledByHeader.BodyText, Does.StartWith("{\"state\": \"done\""));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnIdOfTheLongestValidLengthWithEveryAllowedKindOfCharacterIsTracked()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        string id = "aZ09._~-" + new string('x', 120);

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=" + id, 10, cancellationToken);

        Assert.That(id, Has.Length.EqualTo(128));
        Assert.That(result.TrackedId, Is.EqualTo(id));
        await ProgressProbe.WaitForAsync(server.Port, id, ProgressJsonText.Done(10, result.WireLength, 10, RawUpload.LengthOf(result.Body)), cancellationToken);
    }

    [TestCase("x-progress-id=" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "AnIdOf129CharactersIsNotTracked")]
    [TestCase("X-Progress-Id=a%20b", TestName = "AnIdWithASpaceIsNotTracked")]
    [TestCase("X-Progress-Id=a/b", TestName = "AnIdWithASlashIsNotTracked")]
    [TestCase("X-Progress-Id=%3Cscript%3E", TestName = "AnIdWithAngleBracketsIsNotTracked")]
    [TestCase("X-Progress-Id=", TestName = "AnEmptyIdIsNotTracked")]
    [CancelAfter(TestMilliseconds)]
    public async Task AnInvalidIdIsNotTracked(string query)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload?" + query, 10, cancellationToken);
        var polled = await ProgressProbe.GetAsync(server.Port, "/progress?" + query, cancellationToken);

        Assert.That(result.StatusCode, Is.EqualTo(200));
        Assert.That(result.TrackedId, Is.EqualTo("none"));
        Assert.That(polled.BodyText, Is.EqualTo(ProgressJsonText.Unknown));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnIdWithAMalformedEscapeInTheQueryIsRefusedByTheServerBeforeTracking()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=a%ZZ", 10, cancellationToken);

        Assert.That(result.StatusCode, Is.EqualTo(400));
        Assert.That(result.Body, Does.Contain("Invalid percent-encoding in request target"));
        Assert.That(result.TrackedId, Is.Null, "the handler never saw the request");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnInvalidIdInTheHeaderIsNotTracked()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload", 10, cancellationToken, extraHeaders: "X-Progress-Id: a;b\r\n");

        Assert.That(result.StatusCode, Is.EqualTo(200));
        Assert.That(result.TrackedId, Is.EqualTo("none"));
    }
}
