using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>Uploads that end in <c>error</c>: a handler that refuses, and a client that goes away mid-body.</summary>
[TestFixture]
public sealed class ErrorStateTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadTheHandlerAnswersWithAClientErrorIsAnErrorWithThatStatus([Values(400, 413)] int status)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, $"/reject?status={status}&X-Progress-Id=rej", 500, cancellationToken);

        Assert.That(result.StatusCode, Is.EqualTo(status));
        await ProgressProbe.WaitForAsync(server.Port, "rej", ProgressJsonText.Error(status), cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadTheClientResetsMidBodyIsAnErrorWithoutAFinalStatus()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using RawUpload upload = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=cut", 5000, 1200, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "cut", ProgressJsonText.Running(1200, 5000), cancellationToken);

        upload.Reset();

        await ProgressProbe.WaitForAsync(server.Port, "cut", ProgressJsonText.Error(0), cancellationToken);
    }
}
