using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>Only the methods in <see cref="ProgressOptions.Methods"/> are tracked.</summary>
[TestFixture]
public sealed class MethodTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AGetOrAPutWithAnIdIsNotTrackedByDefault([Values("GET", "PUT")] string method)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=m1", method == "GET" ? 0 : 20, cancellationToken, method);

        Assert.That(result.StatusCode, Is.EqualTo(200));
        Assert.That(result.TrackedId, Is.EqualTo("none"));
        Assert.That(await ProgressProbe.ShowAsync(server.Port, "m1", cancellationToken), Is.EqualTo(ProgressJsonText.Unknown));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task APutIsTrackedWhenTheMethodsIncludePut()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var options = new ProgressOptions { Methods = new HashSet<string>(StringComparer.Ordinal) { "POST", "PUT" } };
        var routes = new ProgressRoutes(options);
        await using TestServer server = routes.Start();
        using RawUpload upload = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=put1", 400, 150, cancellationToken, "PUT");

        await ProgressProbe.WaitForAsync(server.Port, "put1", ProgressJsonText.Running(150, 400), cancellationToken);
        await upload.SendBodyAsync(250, cancellationToken);
        UploadResult result = await upload.ReadAnswerAsync(cancellationToken);

        Assert.That(result.TrackedId, Is.EqualTo("put1"));
        await ProgressProbe.WaitForAsync(server.Port, "put1", ProgressJsonText.Done(400, result.WireLength, 400, RawUpload.LengthOf(result.Body)), cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task MethodsCompareCaseSensitivelySoALowercasePostIsNotTracked()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=lower", 5, cancellationToken, "post");

        Assert.That(result.TrackedId, Is.EqualTo("none"));
    }
}
