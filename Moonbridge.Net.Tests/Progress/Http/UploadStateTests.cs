using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>The states of one upload as <c>/progress</c> reports them: unknown, running, done.</summary>
[TestFixture]
public sealed class UploadStateTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnIdNobodyRegisteredIsUnknown()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        string body = await ProgressProbe.ShowAsync(server.Port, "nobody", cancellationToken);

        Assert.That(body, Is.EqualTo(ProgressJsonText.Unknown));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task APolledRequestWithoutAnIdIsUnknown()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        var response = await ProgressProbe.GetAsync(server.Port, "/progress", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo(ProgressJsonText.Unknown));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ARunningUploadReportsReceivedBytesAsTheyArriveAndItsRequestSize()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using RawUpload upload = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=run1", 3000, 1000, cancellationToken);

        await ProgressProbe.WaitForAsync(server.Port, "run1", ProgressJsonText.Running(1000, 3000), cancellationToken);
        await upload.SendBodyAsync(1500, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "run1", ProgressJsonText.Running(2500, 3000), cancellationToken);
        await upload.SendBodyAsync(500, cancellationToken);
        UploadResult result = await upload.ReadAnswerAsync(cancellationToken);

        Assert.That(result.StatusCode, Is.EqualTo(200));
        Assert.That(result.Body, Is.EqualTo("3000\n"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFinishedUploadIsDoneWithExactlyTheLighttpd2FieldsAndTheBytesOnTheWire()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=done1", 12345, cancellationToken);

        Assert.That(result.StatusCode, Is.EqualTo(200));
        Assert.That(result.Body, Is.EqualTo("12345\n"));
        Assert.That(result.TrackedId, Is.EqualTo("done1"));
        await ProgressProbe.WaitForAsync(
            server.Port, "done1", ProgressJsonText.Done(12345, result.WireLength, 12345, RawUpload.LengthOf(result.Body)), cancellationToken);
    }
}
