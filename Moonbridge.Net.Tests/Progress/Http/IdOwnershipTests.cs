using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>Who gets an id: no hijacking of a running one, a full table that fails nothing, minted ids.</summary>
[TestFixture]
public sealed class IdOwnershipTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A_second_upload_under_the_id_of_a_running_one_is_not_tracked_and_leaves_the_first_intact_but_succeeds()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using ProgressTestServer server = ProgressTestServer.Start();
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
    public async Task A_finished_id_is_not_overwritten_by_another_upload_until_its_ttl_is_over()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var clock = new FakeTimeProvider();
        await using ProgressTestServer server = ProgressTestServer.Start(new ProgressOptions { TimeProvider = clock, Ttl = TimeSpan.FromSeconds(30) });
        UploadResult owner = await RawUpload.SendAsync(server.Port, "/upload?X-Progress-Id=again", 10, cancellationToken);
        await server.Store.WaitForReleaseAsync("again", cancellationToken);
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
    public async Task A_full_table_never_fails_an_upload_it_cannot_register()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using ProgressTestServer server = ProgressTestServer.Start(new ProgressOptions { Capacity = 1 });
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
    public async Task With_minted_ids_an_upload_without_an_id_is_tracked_under_a_new_id_the_handler_sees()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using ProgressTestServer server = ProgressTestServer.Start(new ProgressOptions { MintIds = true });

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload", 77, cancellationToken);

        Assert.That(result.TrackedId, Does.Match("^[0-9a-f]{32}$"));
        await ProgressProbe.WaitForAsync(server.Port, result.TrackedId!, ProgressJsonText.Done(77, result.WireLength, 77, RawUpload.LengthOf(result.Body)), cancellationToken);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task Without_minted_ids_an_upload_without_an_id_is_not_tracked()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using ProgressTestServer server = ProgressTestServer.Start();

        UploadResult result = await RawUpload.SendAsync(server.Port, "/upload", 5, cancellationToken);

        Assert.That(result.TrackedId, Is.EqualTo("none"));
    }
}
