using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>A tracked upload whose client sends <c>Prefer: processing</c> gets <c>102 Processing</c> with <c>Progress</c>.</summary>
[TestFixture]
public sealed class InterimProgressTests
{
    private const int TestMilliseconds = 20_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATrackedUploadWithPreferProcessingGets102sWhoseNumeratorsNeverDecreaseThenTheFinalAnswer()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        const int total = 400_000;
        string text = await UploadAsync(server.Port, "HTTP/1.1", total, cancellationToken);

        string[] progress = text.Split("\r\n").Where(l => l.StartsWith("Progress: ", StringComparison.Ordinal)).ToArray();
        Assert.That(progress, Is.Not.Empty);
        long previous = -1;
        foreach (string line in progress)
        {
            string[] fraction = line["Progress: ".Length..].Split('/');
            Assert.That(fraction[1], Is.EqualTo(total.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            long numerator = long.Parse(fraction[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.That(numerator, Is.GreaterThanOrEqualTo(previous));
            previous = numerator;
        }

        Assert.That(previous, Is.EqualTo(total));
        Assert.That(text.IndexOf("HTTP/1.1 102 Processing", StringComparison.Ordinal), Is.LessThan(text.IndexOf("HTTP/1.1 200 OK", StringComparison.Ordinal)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnHttp10ClientGetsNo102EvenWhenItAsks()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        string text = await UploadAsync(server.Port, "HTTP/1.0", 50_000, cancellationToken);

        Assert.That(text, Does.StartWith("HTTP/1.1 200 OK"));
        Assert.That(text, Does.Not.Contain("102 Processing"));
    }

    /// <summary>Uploads in pieces with <c>Prefer: processing</c> and returns everything the server sent until it closed.</summary>
    private static async Task<string> UploadAsync(int port, string version, int total, CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
        string head = $"POST /upload?X-Progress-Id=interim{version[^1]} {version}\r\nHost: t\r\nPrefer: processing\r\nConnection: close\r\nContent-Length: {total}\r\n\r\n";
        await client.SendAsync(head, cancellationToken);
        byte[] piece = new byte[total / 8];
        for (int sent = 0; sent < total; sent += piece.Length)
        {
            await client.SendAsync(piece.AsMemory(0, Math.Min(piece.Length, total - sent)), cancellationToken);
        }

        ConnectionEnd end = await client.ReadToEndAsync(cancellationToken);
        Assert.That(end.Reset, Is.False, "the server reset the upload connection");
        return end.Text;
    }
}
