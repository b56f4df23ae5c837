using System.Globalization;
using System.Security.Cryptography;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>
/// The Example server killed with SIGKILL in the middle of an append, then started again on the same upload directory:
/// the upload resumes from an offset at least as far as the last one acknowledged, and ends with the exact bytes.
/// </summary>
[CancelAfter(120_000)]
public sealed class UploadCrashTests
{
    [Test]
    public async Task AnUploadSurvivesKill9MidAppendAndResumesFromItsDurableOffset(CancellationToken cancellationToken)
    {
        using var directory = new TempDirectory();
        byte[] data = RandomNumberGenerator.GetBytes(8 << 20);
        string path;
        long acknowledged = 0;
        int sent = 0;
        using (ExampleServerProcess first = await ExampleServerProcess.StartAsync(cancellationToken, "--upload-dir", directory.Path))
        {
            using TestClient client = await TestClient.ConnectAsync(first.Port, cancellationToken);
            await client.SendAsync(UploadTestServer.Head("POST", "/files", $"Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?1\r\nContent-Length: {data.Length}\r\n"), cancellationToken);
            RawHttpResponse created = await client.ReadResponseAsync(cancellationToken);
            Assert.That(created.StatusCode, Is.EqualTo(104));
            path = created.Header("Location")!;

            // Send until a progress 104 says some bytes are durable (the Example checkpoints every second), then kill.
            while (acknowledged == 0 && sent < data.Length / 2)
            {
                await client.SendAsync(data.AsMemory(sent, 64 * 1024), cancellationToken);
                sent += 64 * 1024;
                if (client.HasInputWithin(TimeSpan.FromMilliseconds(100)))
                {
                    RawHttpResponse progress = await client.ReadResponseAsync(cancellationToken);
                    acknowledged = long.Parse(progress.Header("Upload-Offset")!, CultureInfo.InvariantCulture);
                }
            }

            Assert.That(acknowledged, Is.GreaterThan(0), "a progress 104 within half the content");
            first.Dispose(); // SIGKILL: no chance to flush anything
        }

        using ExampleServerProcess second = await ExampleServerProcess.StartAsync(cancellationToken, "--upload-dir", directory.Path);
        using (TestClient head = await TestClient.ConnectAsync(second.Port, cancellationToken))
        {
            await head.SendAsync(UploadTestServer.Head("HEAD", path, "Upload-Draft-Interop-Version: 9\r\n"), cancellationToken);
            RawHttpResponse state = await head.ReadResponseAsync(cancellationToken, forHead: true);
            long offset = long.Parse(state.Header("Upload-Offset")!, CultureInfo.InvariantCulture);
            Assert.That(offset, Is.InRange(acknowledged, sent), "never less than acknowledged, never more than sent");

            using TestClient resume = await TestClient.ConnectAsync(second.Port, cancellationToken);
            await resume.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(offset, complete: true) + $"Content-Length: {data.Length - offset}\r\n"), cancellationToken);
            await resume.SendAsync(data.AsMemory((int)offset), cancellationToken);
            Exchange done = await UploadTestServer.ReadExchangeAsync(resume, "PATCH", cancellationToken);
            Assert.That(done.Final.BodyText.TrimEnd(), Is.EqualTo(UploadTestServer.ExpectedResult(data)), done.ToString());
        }
    }
}
