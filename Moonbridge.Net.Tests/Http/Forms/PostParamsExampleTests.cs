using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>
/// The example application's <c>POST /post_params</c>, run as its own process: field bytes arrive unchanged, and
/// forms far over the limits cost the process memory in proportion to <see cref="FormOptions"/>, not to the body.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class PostParamsExampleTests : IDisposable
{
    private const int TestMilliseconds = 60_000;

    // The example keeps the default limits; a form may cost at most twice the buffered size limit in peak RSS.
    private const long PeakGrowthAllowed = 2 * FormOptions.DefaultBufferedFormSizeLimit;

    private ExampleServerProcess _example = null!;

    [OneTimeSetUp]
    public async Task StartExampleApplication()
    {
        using var startLimit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _example = await ExampleServerProcess.StartAsync(startLimit.Token);
    }

    /// <summary>Kills the example application (by its process id).</summary>
    public void Dispose() => _example?.Dispose();

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task MultipartFieldsAreListedWithTheLengthAndSha256OfTheirExactBytes()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        byte[] file = FormBytesTests.RandomBytes(300_000, seed: 1313);
        byte[] body = MultipartBody.Build(
            FormPart.Text("title", "Grüße"),
            new FormPart("file", file, "random.bin", "application/octet-stream"),
            FormPart.Text("title", "again"));

        string listing = await PostAsync(MultipartBody.ContentType, body, cancellationToken);

        Assert.That(listing, Is.EqualTo(Line("title", "Grüße"u8) + Line("file", file) + Line("title", "again"u8)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task UrlencodedFieldsAreListedWithTheirPercentDecodedBytes()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        byte[] body = "a=%FF%FE%00x&b=1+2&a="u8.ToArray();

        string listing = await PostAsync("application/x-www-form-urlencoded", body, cancellationToken);

        Assert.That(listing, Is.EqualTo(Line("a", [0xFF, 0xFE, 0x00, (byte)'x']) + Line("b", "1 2"u8) + Line("a", [])));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A64MiBUrlencodedBodyIsRefusedWith413WithoutThePeakMemoryGrowingPastTwiceTheLimit()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;

        // 1100 fields of 61 KiB: each within the value limit, together four times the buffered size limit.
        byte[] field = Encoding.ASCII.GetBytes("f=" + new string('x', 61 * 1024) + "&");
        await WarmUpAsync(cancellationToken);
        long before = PeakResidentBytes();

        string response = await PostLargeAsync("application/x-www-form-urlencoded", [], field, 1100, [], cancellationToken);

        long growth = PeakResidentBytes() - before;
        TestContext.Out.WriteLine($"64 MiB urlencoded body: peak RSS grew by {growth / 1024} KiB (allowed {PeakGrowthAllowed / 1024} KiB)");
        Assert.That(response, Does.StartWith("HTTP/1.1 413"));
        Assert.That(response, Does.Contain("FormOptions.BufferedFormSizeLimit"));
        Assert.That(growth, Is.LessThan(PeakGrowthAllowed));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A2GiBMultipartFieldIsRefusedWith413WithoutThePeakMemoryGrowingPastTwiceTheLimit()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        byte[] head = MultipartBody.PartHead(new FormPart("file", [], "huge.bin", "application/octet-stream"));
        byte[] tail = Encoding.ASCII.GetBytes($"\r\n--{MultipartBody.Boundary}--\r\n");
        byte[] piece = FormBytesTests.RandomBytes(64 * 1024, seed: 2);
        await WarmUpAsync(cancellationToken);
        long before = PeakResidentBytes();

        // Announces 2 GiB; the client stops sending once the answer has come.
        string response = await PostLargeAsync(MultipartBody.ContentType, head, piece, 32 * 1024, tail, cancellationToken);

        long growth = PeakResidentBytes() - before;
        TestContext.Out.WriteLine($"2 GiB multipart field: peak RSS grew by {growth / 1024} KiB (allowed {PeakGrowthAllowed / 1024} KiB)");
        Assert.That(response, Does.StartWith("HTTP/1.1 413"));
        Assert.That(response, Does.Contain("FormOptions.ValueLengthLimit"));
        Assert.That(growth, Is.LessThan(PeakGrowthAllowed));
    }

    private static string Line(string name, ReadOnlySpan<byte> value) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} {value.Length} {Convert.ToHexStringLower(SHA256.HashData(value))}\n");

    private async Task<string> PostAsync(string contentType, byte[] body, CancellationToken cancellationToken)
    {
        using TestClient client = await TestClient.ConnectAsync(_example.Port, cancellationToken);
        await client.SendAsync(MultipartBody.PostHead("/post_params", contentType, body.Length), cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(200), response.BodyText);
        Assert.That(response.Header("Content-Type"), Does.StartWith("text/plain"));
        return response.BodyText;
    }

    // A form of a few MiB first, so that the baseline includes the code and pools a form request needs.
    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        byte[] body = MultipartBody.Build(new FormPart("file", FormBytesTests.RandomBytes(3 << 20, seed: 3), "warm.bin"), FormPart.Text("t", "x"));
        _ = await PostAsync(MultipartBody.ContentType, body, cancellationToken);
        string urlEncoded = string.Join("&", Enumerable.Range(0, 64).Select(i => "f=" + new string('x', 32 * 1024)));
        _ = await PostAsync("application/x-www-form-urlencoded", Encoding.ASCII.GetBytes(urlEncoded), cancellationToken);
    }

    /// <summary>
    /// Sends head, <paramref name="repeat"/> times <paramref name="piece"/>, then tail, while reading the answer; stops
    /// sending as soon as the answer has come (the server refuses early and closes). Returns the answer's text.
    /// </summary>
    private async Task<string> PostLargeAsync(string contentType, byte[] head, byte[] piece, int repeat, byte[] tail, CancellationToken cancellationToken)
    {
        long length = head.Length + ((long)piece.Length * repeat) + tail.Length;
        using var socket = new Socket(System.Net.Sockets.AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, _example.Port), cancellationToken);
        using var answered = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task sending = SendAsync();
        var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            int read;
            try
            {
                read = await socket.ReceiveAsync(buffer, cancellationToken);
            }
            catch (SocketException) when (received.Length > 0)
            {
                break;
            }

            if (read == 0)
            {
                break;
            }

            received.Write(buffer, 0, read);
            if (Encoding.Latin1.GetString(received.ToArray()).Contains("\r\n\r\n", StringComparison.Ordinal)
                && received.Length >= 64)
            {
                // The error answer is short and closes the connection; give it a moment to arrive whole.
                answered.CancelAfter(TimeSpan.FromSeconds(1));
            }
        }

        await answered.CancelAsync();
        try
        {
            await sending;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            // The server closed or reset after refusing; what matters is its answer.
        }

        return Encoding.UTF8.GetString(received.ToArray());

        async Task SendAsync()
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(MultipartBody.PostHead("/post_params", contentType, length)), answered.Token);
            await socket.SendAsync(head, answered.Token);
            for (int i = 0; i < repeat; i++)
            {
                await socket.SendAsync(piece, answered.Token);
            }

            await socket.SendAsync(tail, answered.Token);
        }
    }

    private long PeakResidentBytes()
    {
        foreach (string line in File.ReadLines($"/proc/{_example.ProcessId}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return 1024 * long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException("No VmHWM in /proc status.");
    }
}
