using System.Security.Cryptography;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Uploads.Ietf;

/// <summary><c>Content-Digest</c> (RFC 9530) on appends and creations: checked as the content arrives, nothing kept on a mismatch.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class IetfDigestTests
{
    [TestCase("sha-256", true, 204)]
    [TestCase("sha-512", true, 204)]
    [TestCase("sha-256", false, 400)]
    public async Task AnAppendsContentDigestIsChecked(string algorithm, bool right, int expected, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(80_000);
        string path = await server.CreateAsync(null, cancellationToken);
        byte[] digested = right ? data : data[1..];
        byte[] digest = algorithm == "sha-512" ? SHA512.HashData(digested) : SHA256.HashData(digested);

        Exchange exchange = await server.AppendAsync(path, 0, complete: false, data, cancellationToken, $"Content-Digest: {algorithm}=:{Convert.ToBase64String(digest)}:\r\n");

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(expected), exchange.ToString());
        Assert.That(await server.OffsetAsync(path, cancellationToken), Is.EqualTo(right ? data.Length : 0));
    }

    [Test]
    public async Task ADigestOfAnUnknownAlgorithmIsIgnored(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange exchange = await server.AppendAsync(path, 0, complete: false, new byte[10], cancellationToken, "Content-Digest: md5=:AAAA:\r\n");

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(204), exchange.ToString());
    }

    [Test]
    public async Task AMalformedDigestFieldIs400(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string path = await server.CreateAsync(null, cancellationToken);

        Exchange exchange = await server.AppendAsync(path, 0, complete: false, new byte[10], cancellationToken, "Content-Digest: sha-256=:not base64\r\n");

        Assert.That(exchange.Final.StatusCode, Is.EqualTo(400), exchange.ToString());
    }

    [Test]
    public async Task AnOptimisticCreationWithAMatchingDigestCompletes(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(10_000);

        Exchange exchange = await server.SendAsync("POST", "/files", $"Upload-Complete: ?1\r\nContent-Digest: sha-256=:{Convert.ToBase64String(SHA256.HashData(data))}:\r\n", data, cancellationToken);

        Assert.That(exchange.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), exchange.ToString());
    }
}
