using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>
/// Checkpoints of a client that falls silent: what it sent is made durable (and acknowledged with a <c>104</c>) at the
/// next checkpoint, not only when more bytes come or the request ends, and the stall timeout still ends the request.
/// </summary>
[TestFixture]
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class UploadCheckpointTests
{
    [Test]
    public async Task WhatASilentClientSentIsMadeDurableAtTheNextCheckpoint(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(100_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(0, complete: true) + $"Content-Length: {data.Length}\r\n"), cancellationToken);
        await client.SendAsync(data.AsMemory(0, 30_000), cancellationToken);

        // Nothing more is sent: the 104 must still come, with everything sent so far durable.
        RawHttpResponse progress;
        do
        {
            progress = await client.ReadResponseAsync(cancellationToken);
            Assert.That(progress.StatusCode, Is.EqualTo(104), progress.ToString());
        }
        while (progress.Header("Upload-Offset") != "30000");

        await client.SendAsync(data.AsMemory(30_000), cancellationToken);
        Exchange finished = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);
        Assert.That(finished.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), finished.ToString());
    }

    [Test]
    public async Task ASilentClientIsStillCutByTheStallTimeoutAndKeepsWhatItSent(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start(http: h => h.StallTimeout = TimeSpan.FromMilliseconds(600));
        byte[] data = RandomNumberGenerator.GetBytes(100_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(0, complete: true) + $"Content-Length: {data.Length}\r\n"), cancellationToken);
        await client.SendAsync(data.AsMemory(0, 5_000), cancellationToken);

        // The checkpoints every 50 ms cut the server's waits short; the stall is still counted from the last byte.
        var clock = Stopwatch.StartNew();
        ConnectionEnd ended = await client.ReadToEndAsync(cancellationToken);
        TimeSpan cut = clock.Elapsed;
        long kept = await server.OffsetAsync(path, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(cut, Is.InRange(TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(5)), ended.ToString());
            Assert.That(Encoding.ASCII.GetString(ended.Data), Does.Contain("Upload-Offset: 5000"), "acknowledged before the cut");
            Assert.That(kept, Is.EqualTo(5000));
        });
    }
}
