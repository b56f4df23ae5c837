using System.Security.Cryptography;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>A resumable upload in the progress views: one entry across all its requests, by its progress id.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UploadProgressTests
{
    [Test]
    public async Task AnUploadIsOneProgressEntryAcrossItsRequests(CancellationToken cancellationToken)
    {
        var tracker = new ProgressTracker();
        await using var server = UploadTestServer.Start(o => o.Progress = tracker.ObserveUploads());
        byte[] data = RandomNumberGenerator.GetBytes(300_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        const string Id = "upload-progress-1";

        await server.AppendAsync(path, 0, complete: false, data.AsMemory(0, 100_000), cancellationToken, $"X-Progress-Id: {Id}\r\n");
        ProgressSnapshot halfway = await tracker.Store.GetAsync(Id, cancellationToken);
        await server.AppendAsync(path, 100_000, complete: true, data.AsMemory(100_000), cancellationToken, $"X-Progress-Id: {Id}\r\n");
        ProgressSnapshot done = await tracker.Store.GetAsync(Id, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(halfway.State, Is.EqualTo(ProgressState.Running));
            Assert.That(halfway.Received, Is.EqualTo(100_000));
            Assert.That(halfway.RequestSize, Is.EqualTo(300_000));
            Assert.That(done.State, Is.EqualTo(ProgressState.Done));
            Assert.That(done.Received, Is.EqualTo(300_000), "counted once across both requests");
        });
    }

    [Test]
    public async Task WithoutAProgressIdTheUploadIdIsTheKey(CancellationToken cancellationToken)
    {
        var tracker = new ProgressTracker();
        await using var server = UploadTestServer.Start(o => o.Progress = tracker.ObserveUploads());
        string path = await server.CreateAsync(null, cancellationToken);

        await server.AppendAsync(path, 0, complete: false, new byte[1000], cancellationToken);
        ProgressSnapshot snapshot = await tracker.Store.GetAsync(path["/files/".Length..], cancellationToken);

        Assert.That(snapshot.Received, Is.EqualTo(1000));
    }
}
