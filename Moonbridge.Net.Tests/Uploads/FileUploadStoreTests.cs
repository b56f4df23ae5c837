using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Uploads;
using Moonbridge.Net.Uploads.Storage;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>
/// The file system store every upload protocol will share: only durable bytes are reported, a newer request takes an
/// upload over from an older one, and bytes never made durable are cut off after a crash.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class FileUploadStoreTests
{
    private string _directory = "";

    [SetUp]
    public void MakeDirectory() => _directory = Directory.CreateTempSubdirectory("moonbridge-uploads-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task ACreatedUploadIsEmptyAndHasAnUnguessableId(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        UploadRecord first = await store.CreateAsync(Creation(length: 10), cancellationToken);
        UploadRecord second = await store.CreateAsync(Creation(length: null), cancellationToken);

        UploadRecord? found = await store.FindAsync(first.Id, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(first.Id, Has.Length.EqualTo(32).And.Match("^[0-9a-f]{32}$"));
            Assert.That(second.Id, Is.Not.EqualTo(first.Id));
            Assert.That(found, Is.Not.Null);
            Assert.That(found!.Offset, Is.Zero);
            Assert.That(found.Length, Is.EqualTo(10));
            Assert.That(found.IsComplete, Is.False);
        });
    }

    [Test]
    public async Task WrittenBytesCountOnlyOnceTheyAreDurable(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        UploadRecord created = await store.CreateAsync(Creation(length: null), cancellationToken);
        byte[] data = RandomNumberGenerator.GetBytes(100_000);

        await using (IUploadAppend hold = (await store.TakeOverAsync(created.Id, cancellationToken))!)
        {
            await hold.WriteAsync(data.AsMemory(0, 60_000), cancellationToken);
            Assert.That((await store.FindAsync(created.Id, cancellationToken))!.Offset, Is.Zero, "written, not yet durable");
            UploadRecord durable = await hold.MakeDurableAsync(cancellationToken);
            Assert.That(durable.Offset, Is.EqualTo(60_000));
            await hold.WriteAsync(data.AsMemory(60_000), cancellationToken);
            UploadRecord complete = await hold.CompleteAsync(cancellationToken);
            Assert.That(complete.IsComplete && complete.Length == 100_000, Is.True);
        }

        Assert.That(await ContentAsync(store, created.Id, cancellationToken), Is.EqualTo(data));
    }

    [Test]
    public async Task ANewerRequestTakesTheUploadOverFromAnOlderOne(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        UploadRecord created = await store.CreateAsync(Creation(length: null), cancellationToken);
        IUploadAppend older = (await store.TakeOverAsync(created.Id, cancellationToken))!;
        await older.WriteAsync(Encoding.ASCII.GetBytes("0123456789"), cancellationToken);

        Task<IUploadAppend?> newer = store.TakeOverAsync(created.Id, cancellationToken).AsTask();
        Assert.That(older.Superseded.IsCancellationRequested, Is.True, "the older request is told to end at once");
        Assert.That(newer.IsCompleted, Is.False, "the newer waits until the older has ended");

        // What the older request had received before it was told is still written: it is the client's, in order.
        await older.WriteAsync(Encoding.ASCII.GetBytes("ab"), cancellationToken);
        Assert.That(async () => await older.MakeDurableAsync(cancellationToken), Throws.TypeOf<UploadSupersededException>(), "saved only as it ends");

        // The older request ends; what it wrote in order is kept.
        await older.DisposeAsync();
        await using IUploadAppend taken = (await newer.WaitAsync(cancellationToken))!;
        Assert.Multiple(() =>
        {
            Assert.That(taken.Offset, Is.EqualTo(12));
            Assert.That(taken.Record.Epoch, Is.GreaterThan(older.Record.Epoch));
        });
    }

    [Test]
    public async Task OfRequestsWaitingForAnUploadOnlyTheNewestGetsIt(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        UploadRecord created = await store.CreateAsync(Creation(length: null), cancellationToken);
        IUploadAppend first = (await store.TakeOverAsync(created.Id, cancellationToken))!;

        Task<IUploadAppend?> second = store.TakeOverAsync(created.Id, cancellationToken).AsTask();
        Task<IUploadAppend?> third = store.TakeOverAsync(created.Id, cancellationToken).AsTask();
        await first.DisposeAsync();

        // Whichever gets the hold first, the newest ends up with it and the older gives up.
        await using (IUploadAppend newest = (await third.WaitAsync(cancellationToken))!)
        {
            Assert.That(newest.Superseded.IsCancellationRequested, Is.False);
        }

        Assert.That(async () => await second.WaitAsync(cancellationToken), Throws.TypeOf<UploadSupersededException>(), "a newer request came while it waited");

        Assert.That(store.ActiveSlots, Is.Zero, "no request holds or waits: nothing is kept for the upload");
    }

    [Test]
    public async Task LookingUpUnknownIdsKeepsNothing(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        for (int i = 0; i < 100; i++)
        {
            string unknown = UploadId.New();
            Assert.That(await store.FindAsync(unknown, cancellationToken), Is.Null);
            Assert.That(await store.TakeOverAsync(unknown, cancellationToken), Is.Null);
            Assert.That(await store.DeleteAsync(unknown, cancellationToken), Is.False);
        }

        Assert.That(store.ActiveSlots, Is.Zero);
    }

    [Test]
    public async Task BytesNeverMadeDurableAreCutOffAfterACrash(CancellationToken cancellationToken)
    {
        var crashed = new FileUploadStore(_directory);
        UploadRecord created = await crashed.CreateAsync(Creation(length: null), cancellationToken);
        byte[] data = RandomNumberGenerator.GetBytes(150);
        IUploadAppend dying = (await crashed.TakeOverAsync(created.Id, cancellationToken))!;
        await dying.WriteAsync(data.AsMemory(0, 100), cancellationToken);
        await dying.MakeDurableAsync(cancellationToken);
        await dying.WriteAsync(data.AsMemory(100), cancellationToken);

        // The process dies here: its hold is never disposed. A new process opens the same directory.
        var restarted = new FileUploadStore(_directory);
        UploadRecord? found = await restarted.FindAsync(created.Id, cancellationToken);
        Assert.That(found!.Offset, Is.EqualTo(100));
        await using (IUploadAppend resumed = (await restarted.TakeOverAsync(created.Id, cancellationToken))!)
        {
            Assert.That(resumed.Offset, Is.EqualTo(100));
            Assert.That(new FileInfo(Path.Combine(_directory, created.Id + ".data")).Length, Is.EqualTo(100), "the undurable tail is cut off");
            await resumed.WriteAsync(data.AsMemory(100), cancellationToken);
            await resumed.CompleteAsync(cancellationToken);
        }

        Assert.That(await ContentAsync(restarted, created.Id, cancellationToken), Is.EqualTo(data));
    }

    [Test]
    public async Task AnUploadNeverGrowsPastItsLengthOrAfterItsEnd(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        UploadRecord created = await store.CreateAsync(Creation(length: 4), cancellationToken);
        await using IUploadAppend hold = (await store.TakeOverAsync(created.Id, cancellationToken))!;

        Assert.That(async () => await hold.WriteAsync(new byte[5], cancellationToken), Throws.InvalidOperationException);
        await hold.WriteAsync(new byte[3], cancellationToken);
        Assert.That(async () => await hold.CompleteAsync(cancellationToken), Throws.InvalidOperationException, "3 of 4 bytes");
        Assert.That(async () => await hold.SetLengthAsync(5, cancellationToken), Throws.InvalidOperationException, "a length contradicting the declared one");
        await hold.WriteAsync(new byte[1], cancellationToken);
        await hold.CompleteAsync(cancellationToken);
        Assert.That(async () => await hold.WriteAsync(new byte[1], cancellationToken), Throws.InvalidOperationException);
    }

    [Test]
    public async Task ADeletedUploadIsGoneForEveryViewAndItsHolderIsEnded(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        UploadRecord created = await store.CreateAsync(Creation(length: null), cancellationToken);
        IUploadAppend hold = (await store.TakeOverAsync(created.Id, cancellationToken))!;

        Task<bool> deleting = store.DeleteAsync(created.Id, cancellationToken).AsTask();
        Assert.That(hold.Superseded.IsCancellationRequested, Is.True);
        await hold.DisposeAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(await deleting.WaitAsync(cancellationToken), Is.True);
            Assert.That(await store.FindAsync(created.Id, cancellationToken), Is.Null);
            Assert.That(await store.TakeOverAsync(created.Id, cancellationToken), Is.Null);
            Assert.That(await store.OpenContentAsync(created.Id, cancellationToken), Is.Null);
            Assert.That(await store.DeleteAsync(created.Id, cancellationToken), Is.False);
            Assert.That(Directory.EnumerateFileSystemEntries(_directory), Is.Empty);
        });
    }

    [Test]
    public async Task ExpiredUploadsAreNotFoundAndTheSweeperRemovesThem(CancellationToken cancellationToken)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-12-06T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var store = new FileUploadStore(_directory, clock);
        UploadRecord shortLived = await store.CreateAsync(Creation(length: null) with { ExpiresAt = clock.GetUtcNow().AddHours(1) }, cancellationToken);
        UploadRecord longLived = await store.CreateAsync(Creation(length: null) with { ExpiresAt = clock.GetUtcNow().AddDays(1) }, cancellationToken);

        clock.Advance(TimeSpan.FromHours(2));
        Assert.Multiple(async () =>
        {
            Assert.That(await store.FindAsync(shortLived.Id, cancellationToken), Is.Null);
            Assert.That(await store.TakeOverAsync(shortLived.Id, cancellationToken), Is.Null);
            Assert.That(await store.SweepExpiredAsync(clock.GetUtcNow(), cancellationToken), Is.EqualTo(1));
            Assert.That(await store.FindAsync(longLived.Id, cancellationToken), Is.Not.Null);
            Assert.That(File.Exists(Path.Combine(_directory, shortLived.Id + ".data")), Is.False);
        });
    }

    [TestCase("../../etc/passwd")]
    [TestCase("0123456789ABCDEF0123456789ABCDEF")]
    [TestCase("0123456789abcdef")]
    [TestCase("")]
    public async Task AnythingButAnIdOfTheStoresOwnShapeFindsNothing(string id)
    {
        var store = new FileUploadStore(_directory);

        Assert.Multiple(async () =>
        {
            Assert.That(await store.FindAsync(id), Is.Null);
            Assert.That(await store.TakeOverAsync(id), Is.Null);
            Assert.That(await store.DeleteAsync(id), Is.False);
        });
    }

    [Test]
    public async Task TheRecordAndTheFinalResponseSurviveARestart(CancellationToken cancellationToken)
    {
        var store = new FileUploadStore(_directory);
        UploadRecord created = await store.CreateAsync(Creation(length: 0) with
        {
            Owner = "session-1",
            MediaType = "text/plain",
            Metadata = new Dictionary<string, byte[]?>(StringComparer.Ordinal) { ["filename"] = "a.txt"u8.ToArray(), ["is_confidential"] = null },
        }, cancellationToken);
        byte[] response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        await using (IUploadAppend hold = (await store.TakeOverAsync(created.Id, cancellationToken))!)
        {
            Assert.That(async () => await hold.SaveFinalResponseAsync(response, cancellationToken), Throws.InvalidOperationException, "not complete yet");
            await hold.CompleteAsync(cancellationToken);
            await hold.SaveFinalResponseAsync(response, cancellationToken);
        }

        UploadRecord? found = await new FileUploadStore(_directory).FindAsync(created.Id, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(found!.Owner, Is.EqualTo("session-1"));
            Assert.That(found.MediaType, Is.EqualTo("text/plain"));
            Assert.That(found.Metadata["filename"], Is.EqualTo("a.txt"u8.ToArray()));
            Assert.That(found.Metadata["is_confidential"], Is.Null);
            Assert.That(found.IsComplete, Is.True);
            Assert.That(found.FinalResponse, Is.EqualTo(response));
        });
    }

    private static UploadCreation Creation(long? length) => new()
    {
        Protocol = UploadProtocol.Ietf,
        Length = length,
        ExpiresAt = DateTimeOffset.UtcNow.AddDays(1),
    };

    private static async Task<byte[]> ContentAsync(FileUploadStore store, string id, CancellationToken cancellationToken)
    {
        await using Stream content = (await store.OpenContentAsync(id, cancellationToken))!;
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        return copy.ToArray();
    }
}
