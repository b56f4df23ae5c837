using System.Diagnostics;
using System.Globalization;
using System.Text;
using Moonbridge.Net.Progress;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary><c>received</c> of a chunked upload counts body bytes as the handler sees them, never the chunk framing.</summary>
[TestFixture]
public sealed class ChunkedUploadProgressTests
{
    private const int TestMilliseconds = 30_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATrackedChunkedUploadCountsDecodedBodyBytesWhileRunningAndWhenDone()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        using TestClient client = await TestClient.ConnectAsync(server.Port, cancellationToken);
        const int pieces = 256;
        const int pieceSize = 8 * 1024;

        // Chunk extensions and a trailer section are framing too.
        await client.SendAsync(
            "POST /upload?X-Progress-Id=chunked1 HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            + Chunk(1000, ";ext=\"first\""),
            cancellationToken);
        await WaitForReceivedAsync(routes.Store, "chunked1", 1000, cancellationToken);
        var rest = new StringBuilder();
        for (int i = 0; i < pieces; i++)
        {
            rest.Append(Chunk(pieceSize, i % 2 == 0 ? ";n=" + i.ToString(CultureInfo.InvariantCulture) : string.Empty));
        }

        rest.Append("0\r\nX-Checksum: none\r\n\r\n");
        await client.SendAsync(rest.ToString(), cancellationToken);
        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);
        await routes.Store.WaitForReleaseAsync("chunked1", cancellationToken);
        ProgressSnapshot done = await routes.Store.GetAsync("chunked1", cancellationToken);

        const long bodyLength = 1000 + (pieces * pieceSize);
        Assert.That(end.Text, Does.StartWith("HTTP/1.1 200 ").And.EndWith(string.Create(CultureInfo.InvariantCulture, $"{bodyLength}\n")));
        Assert.That((done.State, done.Received, done.RequestSize), Is.EqualTo((ProgressState.Done, bodyLength, (long?)null)));
    }

    private static string Chunk(int size, string extension)
        => string.Create(CultureInfo.InvariantCulture, $"{size:x}{extension}\r\n{new string('c', size)}\r\n");

    /// <summary>Polls the store until <paramref name="id"/> has received exactly <paramref name="expected"/> bytes; fails after a bound.</summary>
    private static async Task WaitForReceivedAsync(ReleaseSignalingStore store, string id, long expected, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        ProgressSnapshot last;
        while ((last = await store.GetAsync(id, cancellationToken)).Received != expected || last.State != ProgressState.Running)
        {
            if (clock.Elapsed > ProgressProbe.Deadline)
            {
                Assert.Fail($"'{id}' did not reach {expected} received bytes; last: {last}");
            }

            await Task.Delay(5, cancellationToken);
        }
    }
}
