using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Tests.Uploads;
using Moonbridge.Net.Uploads;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// "Newest request wins" across two server instances on one upload directory, coordinated by
/// <see cref="RedisUploadClaims"/> on a real redis-server: the instances are two upload servers in this process, each
/// with its own store and Redis connection, as two processes behind a load balancer would be.
/// </summary>
[TestFixture]
[CancelAfter(30_000)]
public sealed class RedisUploadClaimsTests : RedisTestFixture
{
    [Test]
    public async Task AHeadOnOneInstanceEndsAnAppendHangingOnTheOtherAndTheUploadFinishesThere(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisUploadClaims.CreateAsync);
        await using var a = UploadTestServer.Start(o => o.Claims = pair.A);
        await using var b = UploadTestServer.Start(o => { o.Directory = a.Directory; o.Claims = pair.B; });
        byte[] data = RandomNumberGenerator.GetBytes(400_000);
        string path = await a.CreateAsync(data.Length, cancellationToken);

        // An append on A that acknowledged some bytes (a 104 with the durable offset) and then hangs.
        using TestClient hanging = await a.ConnectAsync(cancellationToken);
        (int sent, _) = await UploadTestServer.AppendUntilAcknowledgedAsync(hanging, path, data, complete: true, 1000, cancellationToken);

        // B's HEAD makes A's append stop, keep its bytes and let go; B then reports what A made durable.
        long offset = await b.OffsetAsync(path, cancellationToken);
        ConnectionEnd ended = await hanging.ReadToEndAsync(cancellationToken);
        Exchange rest = await b.AppendAsync(path, offset, complete: true, data.AsMemory((int)offset), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(offset, Is.InRange(1, sent), "what A acknowledged at least, what was sent at most");
            Assert.That(Encoding.ASCII.GetString(ended.Data), Does.Not.Contain("HTTP/1.1 2"), "A's request gets no success answer; its connection is closed");
            Assert.That(rest.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), rest.ToString());
            Assert.That(a.Completions + b.Completions, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AClaimOfAnInstanceThatDiedIsTakenOverWhenItsLeaseRunsOut(CancellationToken cancellationToken)
    {
        var options = new RedisStoreOptions { KeyPrefix = Prefix(), Lease = TimeSpan.FromMilliseconds(900) };
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, options, RedisUploadClaims.CreateAsync);
        IUploadClaim first = await pair.A.ClaimAsync("orphaned", cancellationToken);
        Assert.That(await first.IsHeldAsync(cancellationToken), Is.True);

        // A dies holding the upload: nobody releases it, nobody renews it.
        pair.KillA();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using IUploadClaim second = await pair.B.ClaimAsync("orphaned", cancellationToken);
        Assert.That(await second.IsHeldAsync(cancellationToken), Is.True);
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "one lease and a retry interval at most, not for ever");
    }

    [Test]
    public async Task AWaitingClaimLosesToANewerOneAndTheHolderIsToldToStop(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisUploadClaims.CreateAsync);
        IUploadClaim holder = await pair.A.ClaimAsync("contended", cancellationToken);
        ValueTask<IUploadClaim> older = pair.B.ClaimAsync("contended", cancellationToken);
        await WaitAsync(holder.Superseded, cancellationToken);

        ValueTask<IUploadClaim> newer = pair.A.ClaimAsync("contended", cancellationToken);
        Assert.ThrowsAsync<UploadSupersededException>(async () => await older);
        await holder.DisposeAsync();
        await using IUploadClaim winner = await newer;
        Assert.That(await winner.IsHeldAsync(cancellationToken), Is.True);
    }

    [Test]
    public async Task WithRedisDownAChangeIsRefusedWith503(CancellationToken cancellationToken)
    {
        using var redis = await RedisServerProcess.StartAsync(cancellationToken);
        IConnectionMultiplexer connection = await RedisConnection.ConnectAsync(redis.Configuration);
        await using (connection.ConfigureAwait(false))
        {
            await using RedisUploadClaims claims = await RedisUploadClaims.CreateAsync(connection, new RedisStoreOptions { Timeout = TimeSpan.FromMilliseconds(500) });
            redis.Stop();
            var e = Assert.ThrowsAsync<HttpStatusException>(async () => await claims.ClaimAsync("any", cancellationToken));
            Assert.That(e!.StatusCode, Is.EqualTo(503));
        }
    }

    [Test]
    public async Task AnAppendInProgressCarriesOnThroughARedisRestart(CancellationToken cancellationToken)
    {
        using var redis = await RedisServerProcess.StartAsync(cancellationToken);
        IConnectionMultiplexer connection = await RedisConnection.ConnectAsync(redis.Configuration);
        await using (connection.ConfigureAwait(false))
        {
            await using RedisUploadClaims claims = await RedisUploadClaims.CreateAsync(connection, new RedisStoreOptions { Lease = TimeSpan.FromSeconds(6), Timeout = TimeSpan.FromMilliseconds(500) });
            await using var server = UploadTestServer.Start(o => o.Claims = claims);
            byte[] data = RandomNumberGenerator.GetBytes(400_000);
            string path = await server.CreateAsync(data.Length, cancellationToken);
            using TestClient client = await server.BeginHoldingAppendAsync(path, data, 100_000, cancellationToken);

            // Redis goes away (its keys with it, persistence is off) and comes back while the append goes on; the
            // checkpoints meanwhile trust the lease, and the next renewal claims the upload back.
            redis.Stop();
            await client.SendAsync(data.AsMemory(100_000, 100_000), cancellationToken);
            Task reconnected = RedisServerProcess.WhenRestoredAsync(connection);
            await redis.RestartAsync(cancellationToken);
            await client.SendAsync(data.AsMemory(200_000), cancellationToken);

            Exchange finished = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);
            Assert.That(finished.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), finished.ToString());

            // Once the client library has its connection back, the next request is coordinated again.
            await reconnected.WaitAsync(cancellationToken);
            Exchange head = await server.SendAsync("HEAD", path, "Upload-Draft-Interop-Version: 9\r\n", cancellationToken);
            Assert.That(head.Final.Header("Upload-Offset"), Is.EqualTo(data.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)), head.ToString());
        }
    }

    [Test]
    public async Task TheCapOnOpenUploadsCountsAClientsUploadsOnEveryInstance(CancellationToken cancellationToken)
    {
        await using var pair = await TwoInstances<RedisUploadClaims>.StartAsync(Redis, new RedisStoreOptions { KeyPrefix = Prefix() }, RedisUploadClaims.CreateAsync);
        await using var a = UploadTestServer.Start(o => { o.Claims = pair.A; o.MaxOpenUploadsPerClient = 2; });
        await using var b = UploadTestServer.Start(o => { o.Directory = a.Directory; o.Claims = pair.B; o.MaxOpenUploadsPerClient = 2; });

        // B has counted once already (its own index of the directory is loaded), then alice opens two uploads on A.
        await b.CreateAsync(null, cancellationToken, "X-Owner: bob\r\n");
        string first = await a.CreateAsync(null, cancellationToken, "X-Owner: alice\r\n");
        await a.CreateAsync(null, cancellationToken, "X-Owner: alice\r\n");
        Exchange third = await b.SendAsync("POST", "/files", "Upload-Complete: ?0\r\nX-Owner: alice\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        // One finished on B frees a place on A.
        await b.AppendAsync(first, 0, complete: true, new byte[3], cancellationToken, "X-Owner: alice\r\n");
        Exchange afterOneFinished = await a.SendAsync("POST", "/files", "Upload-Complete: ?0\r\nX-Owner: alice\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(third.Final.StatusCode, Is.EqualTo(429), "alice's uploads on A count on B: " + third);
            Assert.That(afterOneFinished.Final.StatusCode, Is.EqualTo(201), afterOneFinished.ToString());
        });
    }

    private static Task WaitAsync(CancellationToken token, CancellationToken cancellationToken)
        => Task.Delay(Timeout.Infinite, token).ContinueWith(_ => { }, cancellationToken, TaskContinuationOptions.None, TaskScheduler.Default);
}
