using System.Diagnostics;
using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class LargeUploadTests
{
    private const long FileLength = 1L << 30;
    private const int PieceLength = 1 << 20;
    private const long MemoryGrowthLimit = 64L << 20;

    [Test]
    [CancelAfter(120_000)]
    public async Task A1GiBMultipartUploadStreamedThroughStreamPostParamKeepsManagedMemoryFlat([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        HttpOptions options = TestServer.HttpOptions();
        options.RequestBodySizeLimit = 2L << 30;
        long received = 0;
        long checksum = 0;
        int largestPiece = 0;
        PostParamStreamHandler count = (_, data, _) =>
        {
            received += data.Length;
            largestPiece = Math.Max(largestPiece, data.Length);
            foreach (byte b in data)
            {
                checksum += b;
            }
        };
        await using TestServer server = TestServer.StartHttp(
            form,
            options,
            request =>
            {
                request.StreamPostParam("file", count);
                request.ProcessRequestBody();
                request.SendStatus(200);
                request.SendData(received.ToString(CultureInfo.InvariantCulture));
                return true;
            },
            async (request, ct) =>
            {
                request.StreamPostParam("file", count);
                await request.ProcessRequestBodyAsync(ct);
                request.SendStatus(200);
                await request.SendDataAsync(received.ToString(CultureInfo.InvariantCulture));
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        byte[] piece = new byte[PieceLength];
        long pieceSum = 0;
        for (int i = 0; i < piece.Length; i++)
        {
            piece[i] = (byte)('a' + (i % 26));
            pieceSum += piece[i];
        }

        byte[] partHead = MultipartBody.PartHead(new FormPart("file", [], "large.bin", "application/octet-stream"));
        byte[] tail = System.Text.Encoding.ASCII.GetBytes($"\r\n--{MultipartBody.Boundary}--\r\n");
        long length = partHead.Length + FileLength + tail.Length;
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var stopwatch = Stopwatch.StartNew();

        await client.SendAsync(MultipartBody.PostHead("/upload", MultipartBody.ContentType, length), cancellationToken);
        await client.SendAsync(partHead, cancellationToken);
        for (long sent = 0; sent < FileLength; sent += PieceLength)
        {
            await client.SendAsync(piece, cancellationToken);
        }

        await client.SendAsync(tail, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        stopwatch.Stop();
        long after = GC.GetTotalMemory(forceFullCollection: true);
        TestContext.Out.WriteLine($"{form}: 1 GiB in {stopwatch.Elapsed.TotalSeconds:0.0} s; managed memory {before >> 20} MiB before, {after >> 20} MiB after");

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo(FileLength.ToString(CultureInfo.InvariantCulture)));
        Assert.That(checksum, Is.EqualTo(pieceSum * (FileLength / PieceLength)));
        Assert.That(largestPiece, Is.LessThanOrEqualTo(options.MaximumInputChunkSize));
        Assert.That(after - before, Is.LessThan(MemoryGrowthLimit));
    }
}
