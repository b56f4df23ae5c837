using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>Who gets an id: no hijacking of a running one, a full table that fails nothing, minted ids.</summary>
[TestFixture]
public sealed class IdOwnershipTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ASecondUploadUnderTheIdOfARunningOneIsNotTrackedAndLeavesTheFirstIntactButSucceeds()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using RawUpload first = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=mine", 2000, 700, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "mine", ProgressJsonText.Running(700, 2000), cancellationToken);

        UploadResult second = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=mine", 50, cancellationToken);
        string duringFirst = await ProgressProbe.ShowAsync(server.Port, "mine", cancellationToken);
        await first.SendBodyAsync(1300, cancellationToken);
        UploadResult firstResult = await first.ReadAnswerAsync(cancellationToken);

        Assert.That(second.StatusCode, Is.EqualTo(200));
        Assert.That(second.Body, Is.EqualTo("50\n"));
        Assert.That(second.TrackedId, Is.EqualTo("none"));
        Assert.That(duringFirst, Is.EqualTo(ProgressJsonText.Running(700, 2000)));
        Assert.That(firstResult.TrackedId, Is.EqualTo("mine"));
        await ProgressProbe.WaitForAsync(server.Port, "mine", ProgressJsonText.Done(2000, firstResult.WireLength, 2000, RawUpload.LengthOf(firstResult.Body)), cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFinishedIdIsNotOverwrittenByAnotherUploadUntilItsTtlIsOver()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var clock = new FakeTimeProvider();
        var routes = new ProgressRoutes(new ProgressOptions { TimeProvider = clock, Ttl = TimeSpan.FromSeconds(30) });
        await using TestServer server = routes.Start();
        UploadResult owner = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=again", 10, cancellationToken);
        await routes.Store.WaitForReleaseAsync("again", cancellationToken);
        string outcome = await ProgressProbe.ShowAsync(server.Port, "again", cancellationToken);

        UploadResult intruder = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=again", 99, cancellationToken);
        Assert.That(intruder.StatusCode, Is.EqualTo(200), "the upload itself succeeds");
        Assert.That(intruder.TrackedId, Is.EqualTo("none"));
        Assert.That(await ProgressProbe.ShowAsync(server.Port, "again", cancellationToken), Is.EqualTo(outcome), "the owner's outcome is intact");
        Assert.That(owner.TrackedId, Is.EqualTo("again"));

        // Once the TTL is over the id is free again.
        clock.Advance(TimeSpan.FromSeconds(30));
        using RawUpload retry = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=again", 40, 15, cancellationToken);

        await ProgressProbe.WaitForAsync(server.Port, "again", ProgressJsonText.Running(15, 40), cancellationToken);
        await retry.SendBodyAsync(25, cancellationToken);
        Assert.That((await retry.ReadAnswerAsync(cancellationToken)).TrackedId, Is.EqualTo("again"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AFullTableNeverFailsAnUploadItCannotRegister()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes(new ProgressOptions { Capacity = 1 });
        await using TestServer server = routes.Start();
        using RawUpload first = await RawUpload.StartAsync(server.Port, "/upload?X-Progress-Id=holder", 1000, 100, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "holder", ProgressJsonText.Running(100, 1000), cancellationToken);

        UploadResult second = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=overflow", 300, cancellationToken);
        string overflow = await ProgressProbe.ShowAsync(server.Port, "overflow", cancellationToken);
        string holder = await ProgressProbe.ShowAsync(server.Port, "holder", cancellationToken);
        await first.SendBodyAsync(900, cancellationToken);

        Assert.That(second.StatusCode, Is.EqualTo(200));
        Assert.That(second.Body, Is.EqualTo("300\n"));
        Assert.That(overflow, Is.EqualTo(ProgressJsonText.Unknown));
        Assert.That(holder, Is.EqualTo(ProgressJsonText.Running(100, 1000)));
        Assert.That((await first.ReadAnswerAsync(cancellationToken)).StatusCode, Is.EqualTo(200));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithMintedIdsAnUploadWithoutAnIdIsTrackedUnderANewIdTheHandlerSees()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes(new ProgressOptions { MintIds = true });
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload", 77, cancellationToken);

        Assert.That(result.TrackedId, Does.Match("^[0-9a-f]{32}$"));
        await ProgressProbe.WaitForAsync(server.Port, result.TrackedId!, ProgressJsonText.Done(77, result.WireLength, 77, RawUpload.LengthOf(result.Body)), cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithoutMintedIdsAnUploadWithoutAnIdIsNotTracked()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload", 5, cancellationToken);

        Assert.That(result.TrackedId, Is.EqualTo("none"));
    }
}
