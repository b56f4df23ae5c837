using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>A finished upload stays visible for the TTL of its tracker's clock, then is unknown.</summary>
[TestFixture]
public sealed class ExpiryTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFinishedUploadStaysDoneUntilItsTtlHasPassedAndIsUnknownAfter()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var clock = new FakeTimeProvider();
        var routes = new ProgressRoutes(new ProgressOptions { TimeProvider = clock, Ttl = TimeSpan.FromSeconds(30) });
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=ttl", 100, cancellationToken);
        await routes.Store.WaitForReleaseAsync("ttl", cancellationToken);
        string done = ProgressJsonText.Done(100, result.WireLength, 100, RawUpload.LengthOf(result.Body));

        clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        string before = await ProgressProbe.ShowAsync(server.Port, "ttl", cancellationToken);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        string after = await ProgressProbe.ShowAsync(server.Port, "ttl", cancellationToken);

        Assert.That(before, Is.EqualTo(done));
        Assert.That(after, Is.EqualTo(ProgressJsonText.Unknown));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithATtlOfZeroAFinishedUploadIsUnknownAtOnce()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var clock = new FakeTimeProvider();
        var routes = new ProgressRoutes(new ProgressOptions { TimeProvider = clock, Ttl = TimeSpan.Zero });
        await using TestServer server = routes.Start();

        await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=ttl0", 100, cancellationToken);
        await routes.Store.WaitForReleaseAsync("ttl0", cancellationToken);

        Assert.That(await ProgressProbe.ShowAsync(server.Port, "ttl0", cancellationToken), Is.EqualTo(ProgressJsonText.Unknown));
    }
}
