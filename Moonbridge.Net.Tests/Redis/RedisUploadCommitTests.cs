using System.Security.Cryptography;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Uploads;
using Moonbridge.Net.Uploads.Storage;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// The durable offset as a compare-and-set on the upload's epoch and offset in Redis: only the holder commits, never
/// behind the last commit, and a takeover on another instance goes by the last commit rather than by a record on
/// the shared directory that nobody confirmed.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class RedisUploadCommitTests : RedisTestFixture
{
    [Test]
    public async Task OnlyTheHolderCommitsAndNeverBehindTheLastCommit(CancellationToken cancellationToken)
    {
        var options = new RedisStoreOptions { KeyPrefix = Prefix(), Lease = TimeSpan.FromMilliseconds(900) };
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, options, RedisUploadClaims.CreateAsync);

        IUploadClaim first = await pair.A.ClaimAsync("cas", cancellationToken);
        UploadCommit? before = first.Committed;
        bool committed = await first.CommitAsync(1, 100, cancellationToken);
        bool behind = await first.CommitAsync(1, 50, cancellationToken);
        bool nextEpoch = await first.CommitAsync(2, 10, cancellationToken);
        bool olderEpoch = await first.CommitAsync(1, 500, cancellationToken);

        // A's instance stops answering while it holds the upload; B takes it once A's lease ran out.
        pair.KillA();
        await using IUploadClaim second = await pair.B.ClaimAsync("cas", cancellationToken);
        bool zombie = await first.CommitAsync(2, 20, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.Null, "nothing committed yet");
            Assert.That(committed, Is.True);
            Assert.That(behind, Is.False, "an offset behind the last commit of the same epoch");
            Assert.That(nextEpoch, Is.True, "a later epoch starts again from its takeover's offset");
            Assert.That(olderEpoch, Is.False, "an earlier epoch");
            Assert.That(second.Committed, Is.EqualTo(new UploadCommit(2, 10)), "the other instance reads the last commit");
            Assert.That(zombie, Is.False, "a holder whose lease ran out commits nothing");
        });
    }

    [Test]
    public async Task ATakeoverCutsARecordThatNoCommitConfirmedAndCatchesUpWithOneWhoseRecordLagged(CancellationToken cancellationToken)
    {
        var options = new RedisStoreOptions { KeyPrefix = Prefix() };
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, options, RedisUploadClaims.CreateAsync);
        using var directory = new TempDirectory();
        var a = new FileUploadStore(directory.Path, claims: pair.A);
        var b = new FileUploadStore(directory.Path, claims: pair.B);
        byte[] data = RandomNumberGenerator.GetBytes(30);
        UploadRecord created = await a.CreateAsync(new UploadCreation { Protocol = UploadProtocol.Ietf, ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) }, cancellationToken);

        long epoch;
        await using (IUploadAppend hold = (await a.TakeOverAsync(created.Id, cancellationToken))!)
        {
            await hold.WriteAsync(data.AsMemory(0, 20), cancellationToken);
            epoch = (await hold.MakeDurableAsync(cancellationToken)).Epoch;
        }

        // The record on the directory says 20; as if a holder that lost its claim had written it, Redis confirms 12.
        IDatabase redis = pair.RedisB.GetDatabase();
        RedisKey commit = options.KeyPrefix + "upload:" + created.Id + ":commit";
        Assert.That((long)await redis.HashGetAsync(commit, "o"), Is.EqualTo(20), "the append committed what it made durable");
        await redis.HashSetAsync(commit, "o", 12);
        long cut;
        await using (IUploadAppend hold = (await b.TakeOverAsync(created.Id, cancellationToken))!)
        {
            cut = hold.Offset;
            await hold.WriteAsync(data.AsMemory(12, 8), cancellationToken);
            _ = await hold.MakeDurableAsync(cancellationToken);
        }

        // Now the bytes of a commit are on disk but its record was never written (the process died in between).
        await File.AppendAllBytesAsync(Path.Combine(directory.Path, created.Id + ".data"), data.AsMemory(20, 10).ToArray(), cancellationToken);
        await redis.HashSetAsync(commit, [new HashEntry("e", epoch + 1), new HashEntry("o", 30)]);
        long caughtUp;
        await using (IUploadAppend hold = (await a.TakeOverAsync(created.Id, cancellationToken))!)
        {
            caughtUp = hold.Offset;
            _ = await hold.CompleteAsync(cancellationToken);
        }

        await using Stream content = (await a.OpenContentAsync(created.Id, cancellationToken))!;
        using var copy = new MemoryStream();
        await content.CopyToAsync(copy, cancellationToken);
        Assert.Multiple(() =>
        {
            Assert.That(cut, Is.EqualTo(12), "the unconfirmed tail of the record is cut");
            Assert.That(caughtUp, Is.EqualTo(30), "the record catches up with the commit whose bytes are on disk");
            Assert.That(copy.ToArray(), Is.EqualTo(data));
        });
    }
}
