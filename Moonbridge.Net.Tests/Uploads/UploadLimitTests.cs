using System.Diagnostics;
using System.Security.Cryptography;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Uploads;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>Limits against abuse: open uploads per client, and the minimum rate that ends a trickling append.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UploadLimitTests
{
    [Test]
    public async Task AClientWithTooManyOpenUploadsIsRefusedUntilItFinishesOne(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(o => o.MaxOpenUploadsPerClient = 2);
        string first = await server.CreateAsync(null, cancellationToken, "X-Owner: alice\r\n");
        await server.CreateAsync(null, cancellationToken, "X-Owner: alice\r\n");

        Exchange third = await server.SendAsync("POST", "/files", "Upload-Complete: ?0\r\nX-Owner: alice\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);
        Exchange tus = await server.SendAsync("POST", "/files", "Tus-Resumable: 1.0.0\r\nUpload-Length: 5\r\nX-Owner: alice\r\nContent-Length: 0\r\n", cancellationToken);
        Exchange bob = await server.SendAsync("POST", "/files", "Upload-Complete: ?0\r\nX-Owner: bob\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);
        await server.AppendAsync(first, 0, complete: true, new byte[3], cancellationToken, "X-Owner: alice\r\n");
        Exchange afterOneFinished = await server.SendAsync("POST", "/files", "Upload-Complete: ?0\r\nX-Owner: alice\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(third.Final.StatusCode, Is.EqualTo(429), third.ToString());
            Assert.That(tus.Final.StatusCode, Is.EqualTo(429));
            Assert.That(tus.Final.Header("Tus-Resumable"), Is.EqualTo("1.0.0"));
            Assert.That(bob.Final.StatusCode, Is.EqualTo(201), "another client has its own count");
            Assert.That(afterOneFinished.Final.StatusCode, Is.EqualTo(201));
        });
    }

    [Test]
    public async Task UploadsLeftByAnEarlierRunCountAgainstTheCap(CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory();
        await using (var earlier = UploadTestServer.Start(o => o.Directory = directory.Path))
        {
            await earlier.CreateAsync(null, cancellationToken);
        }

        await using var later = UploadTestServer.Start(o =>
        {
            o.Directory = directory.Path;
            o.MaxOpenUploadsPerClient = 1;
        });
        Exchange refused = await later.SendAsync("POST", "/files", "Upload-Complete: ?0\r\n", ReadOnlyMemory<byte>.Empty, cancellationToken);

        Assert.That(refused.Final.StatusCode, Is.EqualTo(429), "the same address made one before the restart");
    }

    [Test]
    public async Task ATricklingAppendIsCutByTheMinimumRateAndKeepsWhatArrived(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(http: h =>
        {
            h.MinimumRequestBodyDataRate = 10_000;
            h.MinimumRequestBodyDataRateGracePeriod = TimeSpan.FromMilliseconds(300);
        });
        byte[] data = RandomNumberGenerator.GetBytes(100_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(0, complete: true) + $"Content-Length: {data.Length}\r\n"), cancellationToken);
        await client.SendAsync(data.AsMemory(0, 2000), cancellationToken);

        // Then nothing: the server must give up on the request by itself, well before the test's own bound.
        var clock = Stopwatch.StartNew();
        ConnectionEnd ended = await client.ReadToEndAsync(cancellationToken);
        TimeSpan cut = clock.Elapsed;
        long kept = await server.OffsetAsync(path, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(cut, Is.LessThan(TimeSpan.FromSeconds(8)), ended.ToString());
            Assert.That(kept, Is.EqualTo(2000), "the bytes before the stall are kept");
        });
    }
}
