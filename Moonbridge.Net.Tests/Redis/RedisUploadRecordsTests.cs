using System.Globalization;
using System.Security.Cryptography;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Tests.Uploads;
using Moonbridge.Net.Uploads;
using Moonbridge.Net.Uploads.Storage;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// Upload records in Redis (<see cref="RedisUploadRecords"/>) on a real redis-server: an upload made on one instance
/// is resumed and finished on another with nothing but its bytes on the shared directory, a record never goes back
/// behind a newer one, expiry reaches the data files through every instance's sweep, and an append carries on
/// through a Redis restart that lost its record.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class RedisUploadRecordsTests : RedisTestFixture
{
    private static readonly string[] s_bytesOnly = [".data"];
    private static readonly bool[] s_cases = [true, false, false, true, true];

    [Test]
    public async Task AnUploadMadeOnOneInstanceIsResumedOnTheOtherWithOnlyItsBytesOnTheDirectory(CancellationToken cancellationToken)
    {
        var options = new RedisStoreOptions { KeyPrefix = Prefix() };
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, options, RedisUploadClaims.CreateAsync);
        await using var a = UploadTestServer.Start(o => { o.Claims = pair.A; o.Records = new RedisUploadRecords(pair.RedisA, options); });
        await using var b = UploadTestServer.Start(o => { o.Directory = a.Directory; o.Claims = pair.B; o.Records = new RedisUploadRecords(pair.RedisB, options); });
        byte[] data = RandomNumberGenerator.GetBytes(300_000);

        string path = await a.CreateAsync(data.Length, cancellationToken);
        Exchange first = await a.AppendAsync(path, 0, complete: false, data.AsMemory(0, 100_000), cancellationToken);
        long offset = await b.OffsetAsync(path, cancellationToken);
        Exchange rest = await b.AppendAsync(path, offset, complete: true, data.AsMemory((int)offset), cancellationToken);
        Exchange again = await a.SendAsync("HEAD", path, "Upload-Draft-Interop-Version: 9\r\n", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(first.Final.StatusCode, Is.EqualTo(204), first.ToString());
            Assert.That(offset, Is.EqualTo(100_000), "B reads the offset A recorded");
            Assert.That(rest.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), rest.ToString());
            Assert.That(again.Final.Header("Upload-Complete"), Is.EqualTo("?1"), "A reads the completion B recorded");
            Assert.That(Directory.GetFiles(a.Directory).Select(Path.GetExtension), Is.EqualTo(s_bytesOnly), "the records are in Redis");
        });
    }

    [Test]
    public async Task ARecordBehindTheStoredOneIsNotWritten(CancellationToken cancellationToken)
    {
        using IConnectionMultiplexer redis = await RedisConnection.ConnectAsync(Redis.Configuration);
        var records = new RedisUploadRecords(redis, new RedisStoreOptions { KeyPrefix = Prefix() });
        DateTimeOffset expires = DateTimeOffset.UtcNow.AddHours(1);
        UploadRecordDocument Record(long epoch, long offset) => new("cas", epoch, offset, expires, System.Text.Encoding.ASCII.GetBytes($"{epoch}/{offset}"));

        bool[] written =
        [
            await records.WriteAsync(Record(2, 100), cancellationToken),
            await records.WriteAsync(Record(2, 50), cancellationToken),
            await records.WriteAsync(Record(1, 500), cancellationToken),
            await records.WriteAsync(Record(2, 100), cancellationToken),
            await records.WriteAsync(Record(3, 0), cancellationToken),
        ];

        byte[]? stored = await records.ReadAsync("cas", cancellationToken);
        bool deleted = await records.DeleteAsync("cas", cancellationToken);
        byte[]? afterDelete = await records.ReadAsync("cas", cancellationToken);
        bool deletedAgain = await records.DeleteAsync("cas", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(s_cases), "behind in offset, behind in epoch, the same again (a final response), a takeover");
            Assert.That(stored, Is.EqualTo("3/0"u8.ToArray()));
            Assert.That(deleted, Is.True);
            Assert.That(afterDelete, Is.Null);
            Assert.That(deletedAgain, Is.False);
        });
    }

    [Test]
    public async Task TheSweepRemovesTheBytesOfAnUploadWhoseRecordExpiredInRedis(CancellationToken cancellationToken)
    {
        var options = new RedisStoreOptions { KeyPrefix = Prefix() };
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, options, RedisUploadClaims.CreateAsync);
        using var directory = new TempDirectory();
        var a = new FileUploadStore(directory.Path, claims: pair.A, records: new RedisUploadRecords(pair.RedisA, options));
        var b = new FileUploadStore(directory.Path, claims: pair.B, records: new RedisUploadRecords(pair.RedisB, options));
        DateTimeOffset now = DateTimeOffset.UtcNow;

        // Expired as it is made: Redis drops its record at once; only the expiry index still names it.
        UploadRecord expired = await a.CreateAsync(new UploadCreation { Protocol = UploadProtocol.Tus, ExpiresAt = now.AddMinutes(-1) }, cancellationToken);
        UploadRecord live = await a.CreateAsync(new UploadCreation { Protocol = UploadProtocol.Tus, ExpiresAt = now.AddHours(1) }, cancellationToken);
        UploadRecord? found = await b.FindAsync(expired.Id, cancellationToken);
        int swept = await b.SweepExpiredAsync(now, cancellationToken);
        int sweptAgain = await a.SweepExpiredAsync(now, cancellationToken);
        UploadRecord? liveFound = await b.FindAsync(live.Id, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(found, Is.Null, "an expired upload is unknown everywhere");
            Assert.That(swept, Is.EqualTo(1));
            Assert.That(sweptAgain, Is.Zero, "one instance's sweep is every instance's");
            Assert.That(Directory.GetFiles(directory.Path).Select(Path.GetFileName), Is.EqualTo(new[] { live.Id + ".data" }));
            Assert.That(liveFound, Is.Not.Null);
        });
    }

    [Test]
    public async Task ListingExpiredRecordsWhileRemovingThemVisitsEachOnce(CancellationToken cancellationToken)
    {
        using IConnectionMultiplexer redis = await RedisConnection.ConnectAsync(Redis.Configuration);
        var records = new RedisUploadRecords(redis, new RedisStoreOptions { KeyPrefix = Prefix() });
        DateTimeOffset soon = DateTimeOffset.UtcNow.AddHours(1);

        // More than a page shares one expiry (a burst of uploads made in one millisecond), the rest each have their own.
        var expected = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 2_500; i++)
        {
            string id = "r" + i.ToString(CultureInfo.InvariantCulture);
            expected.Add(id);
            await records.WriteAsync(new UploadRecordDocument(id, 0, 0, i < 1_200 ? soon : soon.AddMilliseconds(i), "{}"u8.ToArray()), cancellationToken);
        }

        await records.WriteAsync(new UploadRecordDocument("later", 0, 0, soon.AddDays(1), "{}"u8.ToArray()), cancellationToken);

        var listed = new List<string>();
        await foreach (string id in records.ListAsync(soon.AddHours(1), cancellationToken))
        {
            listed.Add(id);
            if (listed.Count % 2 == 0)
            {
                await records.DeleteAsync(id, cancellationToken);
            }
        }

        Assert.That(listed, Is.EquivalentTo(expected), "every expired id once, whether removed on the way or not");
    }

    [Test]
    public async Task WithRedisDownACreationIsRefusedWith503LeavingNoFileAndWorksOnceRedisIsBack(CancellationToken cancellationToken)
    {
        using var redis = await RedisServerProcess.StartAsync(cancellationToken);
        IConnectionMultiplexer connection = await RedisConnection.ConnectAsync(redis.Configuration);
        await using (connection.ConfigureAwait(false))
        {
            // Records without claims: the cap on open uploads counts from the records themselves, first read at the
            // first creation, which meets the outage.
            var options = new RedisStoreOptions { Timeout = TimeSpan.FromMilliseconds(500) };
            await using var server = UploadTestServer.Start(o => o.Records = new RedisUploadRecords(connection, options));
            const string Creation = "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?0\r\nUpload-Length: 10\r\n";

            redis.Stop();
            Exchange refused = await server.SendAsync("POST", "/files", Creation, ReadOnlyMemory<byte>.Empty, cancellationToken);
            string[] left = Directory.GetFiles(server.Directory);
            Task reconnected = RedisServerProcess.WhenRestoredAsync(connection);
            await redis.RestartAsync(cancellationToken);
            await reconnected.WaitAsync(cancellationToken);
            Exchange created = await server.SendAsync("POST", "/files", Creation, ReadOnlyMemory<byte>.Empty, cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(refused.Final.StatusCode, Is.EqualTo(503), refused.ToString());
                Assert.That(refused.Final.BodyText, Does.Contain("Redis"), "the reason names what is missing");
                Assert.That(left, Is.Empty, "no data file without a record");
                Assert.That(created.Final.StatusCode, Is.EqualTo(201), "the failed first reading of the records is not kept: " + created);
            });
        }
    }

    [Test]
    public async Task AnAppendCarriesOnThroughARedisRestartAndRecordsItsUploadAgain(CancellationToken cancellationToken)
    {
        using var redis = await RedisServerProcess.StartAsync(cancellationToken);
        IConnectionMultiplexer connection = await RedisConnection.ConnectAsync(redis.Configuration);
        await using (connection.ConfigureAwait(false))
        {
            var options = new RedisStoreOptions { Lease = TimeSpan.FromSeconds(6), Timeout = TimeSpan.FromMilliseconds(500) };
            await using RedisUploadClaims claims = await RedisUploadClaims.CreateAsync(connection, options);
            await using var server = UploadTestServer.Start(o =>
            {
                o.Claims = claims;
                o.Records = new RedisUploadRecords(connection, options);
                o.CheckpointInterval = TimeSpan.FromMilliseconds(50);
            });
            byte[] data = RandomNumberGenerator.GetBytes(400_000);
            string path = await server.CreateAsync(data.Length, cancellationToken);
            using TestClient client = await server.BeginHoldingAppendAsync(path, data, 100_000, cancellationToken);

            // Redis goes away with every record (persistence is off): the append's checkpoints cannot record, the
            // bytes keep arriving, and a request that needs a record meanwhile is told to come back.
            redis.Stop();
            await client.SendAsync(data.AsMemory(100_000, 100_000), cancellationToken);
            Exchange refused = await server.SendAsync("HEAD", "/files/" + new string('a', 32), "Upload-Draft-Interop-Version: 9\r\n", cancellationToken);
            Task reconnected = RedisServerProcess.WhenRestoredAsync(connection);
            await redis.RestartAsync(cancellationToken);
            await reconnected.WaitAsync(cancellationToken);
            await client.SendAsync(data.AsMemory(200_000), cancellationToken);
            Exchange finished = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);
            Exchange head = await server.SendAsync("HEAD", path, "Upload-Draft-Interop-Version: 9\r\n", cancellationToken);

            Assert.Multiple(() =>
            {
                Assert.That(refused.Final.StatusCode, Is.EqualTo(503), refused.ToString());
                Assert.That(finished.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), finished.ToString());
                Assert.That(head.Final.Header("Upload-Offset"), Is.EqualTo(data.Length.ToString(CultureInfo.InvariantCulture)), "the record is back: " + head);
            });
        }
    }
}
