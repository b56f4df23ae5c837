using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Ietf;

/// <summary>
/// Newest request wins (never a 423), and interruptions anywhere: a resumed upload always ends with the client's exact
/// bytes.
/// </summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IetfConcurrencyTests
{
    [Test]
    public async Task AHeadWhileAnAppendHangsEndsThatAppendAndReportsAnOffsetTheNextAppendIsAcceptedAt(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(400_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        (TestClient hanging, int sent) = await HoldingAppendAsync(server, path, data, complete: true, cancellationToken);
        using TestClient hangingClient = hanging;

        long offset = await server.OffsetAsync(path, cancellationToken);
        ConnectionEnd ended = await hanging.ReadToEndAsync(cancellationToken);
        Exchange rest = await server.AppendAsync(path, offset, complete: true, data.AsMemory((int)offset), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(offset, Is.InRange(1, sent), "at least what the progress 104 acknowledged, at most what was sent");
            Assert.That(Encoding.ASCII.GetString(ended.Data), Does.Not.Contain("HTTP/1.1 2"), "the older request gets no success answer; its connection is closed");
            Assert.That(rest.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), rest.ToString());
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task ANewAppendOnAnotherConnectionWinsOverAnOldOneStillTrickling(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(400_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        (TestClient old, int sent) = await HoldingAppendAsync(server, path, data, complete: true, cancellationToken);
        using TestClient oldClient = old;

        long offset = await server.OffsetAsync(path, cancellationToken);
        Exchange rest = await server.AppendAsync(path, offset, complete: true, data.AsMemory((int)offset), cancellationToken);
        await old.SendAsync(data.AsMemory(sent, 10), cancellationToken).ContinueWith(_ => { }, TaskScheduler.Default); // the old client trickles on; it may already be closed

        Assert.That(rest.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), rest.ToString());
        Assert.That(await server.OffsetAsync(path, cancellationToken), Is.EqualTo(data.Length), "nothing the old request sent later got in");
    }

    [Test]
    public async Task ADeleteDuringAnAppendEndsItAndRemovesTheUpload(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(400_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        (TestClient appending, int _) = await HoldingAppendAsync(server, path, data, complete: false, cancellationToken);
        using TestClient appendingClient = appending;

        Exchange deleted = await server.SendAsync("DELETE", path, "", cancellationToken);
        ConnectionEnd ended = await appending.ReadToEndAsync(cancellationToken);
        Exchange head = await server.SendAsync("HEAD", path, "", cancellationToken);

        Assert.That((deleted.Final.StatusCode, head.Final.StatusCode), Is.EqualTo((204, 404)));
        Assert.That(Encoding.ASCII.GetString(ended.Data), Does.Not.Contain("HTTP/1.1 2"));
        Assert.That(Directory.GetFiles(server.Directory), Is.Empty);
    }

    [Test]
    public async Task ManyUploadsAtOnceDoNotMixTheirBytes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[][] files = [.. Enumerable.Range(0, 16).Select(i => RandomNumberGenerator.GetBytes(20_000 + (i * 1000)))];

        Exchange[] answers = await Task.WhenAll(files.Select(file => server.SendAsync("POST", "/files", "Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\n", file, cancellationToken)));

        Assert.That(answers.Select(a => a.Final.BodyText), Is.EqualTo(files.Select(f => UploadTestServer.ExpectedResult(f))));
    }

    /// <summary>
    /// Chunked appends cut at random byte positions (inside a chunk-size line, inside chunk data, between chunks), each
    /// followed by HEAD and a resume from the offset it reports: the result is the source's SHA-256, and the offset
    /// never goes back.
    /// </summary>
    [Test]
    public async Task RandomCutsAnywhereInChunkedAppendsEndWithTheExactBytes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        var random = new Random(20261206);
        byte[] data = RandomNumberGenerator.GetBytes(400_000);
        string path = await server.CreateAsync(data.Length, cancellationToken);
        long offset = 0;
        int cuts = 0;
        while (true)
        {
            byte[] message = ChunkedAppend(path, offset, data.AsSpan((int)offset), random);
            bool cut = cuts < 12;
            int sent = cut ? random.Next(1, message.Length) : message.Length;
            using (TestClient client = await server.ConnectAsync(cancellationToken))
            {
                await client.SendAsync(message.AsMemory(0, sent), cancellationToken);
                if (!cut)
                {
                    Exchange done = await UploadTestServer.ReadExchangeAsync(client, "PATCH", cancellationToken);
                    Assert.That(done.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), done.ToString());
                    break;
                }

                client.ShutdownSend();
                _ = await client.ReadToEndAsync(cancellationToken);
            }

            long now = await server.OffsetAsync(path, cancellationToken);
            Assert.That(now, Is.GreaterThanOrEqualTo(offset), $"cut {cuts} at byte {sent}: the offset never goes back");
            offset = now;
            cuts++;
        }

        Assert.That(server.Completions, Is.EqualTo(1));
    }

    /// <summary>
    /// Starts an append of <paramref name="data"/> and sends it in small pieces until a progress 104 shows the server
    /// holds the upload for it (a request arriving later is then the newer one); returns the client and the bytes sent.
    /// </summary>
    private static async Task<(TestClient Client, int Sent)> HoldingAppendAsync(UploadTestServer server, string path, byte[] data, bool complete, CancellationToken cancellationToken)
    {
        TestClient client = await server.ConnectAsync(cancellationToken);
        try
        {
            (int sent, _) = await UploadTestServer.AppendUntilAcknowledgedAsync(client, path, data, complete, 1000, cancellationToken);
            return (client, sent);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static byte[] ChunkedAppend(string path, long offset, ReadOnlySpan<byte> rest, Random random)
    {
        var message = new MemoryStream();
        message.Write(Encoding.ASCII.GetBytes(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(offset, complete: true) + "Transfer-Encoding: chunked\r\n")));
        while (!rest.IsEmpty)
        {
            int size = Math.Min(rest.Length, random.Next(1, 40_000));
            message.Write(Encoding.ASCII.GetBytes(size.ToString("x", CultureInfo.InvariantCulture) + "\r\n"));
            message.Write(rest[..size]);
            message.Write("\r\n"u8);
            rest = rest[size..];
        }

        message.Write("0\r\n\r\n"u8);
        return message.ToArray();
    }
}
