using System.Security.Cryptography;
using Moonbridge.Net.Tests.Infrastructure;
using static Moonbridge.Net.Tests.Uploads.Tus.TusProtocolTests;

namespace Moonbridge.Net.Tests.Uploads.Tus;

/// <summary>tus concatenation (also of unfinished partial uploads), and one upload driven by both protocols.</summary>
[CancelAfter(TestTimeouts.TestMilliseconds)]
public sealed class TusConcatenationTests
{
    [Test]
    public async Task AFinalUploadJoinsItsPartsInOrderAndIsHandedOverOnce(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] first = RandomNumberGenerator.GetBytes(30_000);
        byte[] second = RandomNumberGenerator.GetBytes(20_000);
        string a = await PartAsync(server, first, cancellationToken);
        string b = await PartAsync(server, second, cancellationToken);

        Exchange final = await server.SendAsync("POST", "/files", TusHeader + $"Upload-Concat: final;{a} http://test{b}\r\nContent-Length: 0\r\n", cancellationToken);
        string path = final.Final.Header("Location")!;
        Exchange head = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);
        Exchange patch = await PatchAsync(server, path, 50_000, new byte[1], cancellationToken);
        Exchange result = await server.SendAsync("GET", path + "/result", "", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(final.Final.StatusCode, Is.EqualTo(201), final.ToString());
            Assert.That(head.Final.Header("Upload-Concat"), Is.EqualTo($"final;{a} {b}"));
            Assert.That(head.Final.Header("Upload-Offset"), Is.EqualTo("50000"));
            Assert.That(patch.Final.StatusCode, Is.EqualTo(403));
            Assert.That(result.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult([.. first, .. second])));
            Assert.That(server.Completions, Is.EqualTo(1), "partial uploads are not handed to the application");
        });
    }

    [Test]
    public async Task AFinalUploadOfUnfinishedPartsHasNoOffsetUntilTheyAreDone(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] first = RandomNumberGenerator.GetBytes(1000);
        byte[] second = RandomNumberGenerator.GetBytes(2000);
        string a = await PartAsync(server, first, cancellationToken);
        string b = await CreateAsync(server, "Upload-Concat: partial\r\nUpload-Length: 2000\r\n", cancellationToken);
        Exchange final = await server.SendAsync("POST", "/files", TusHeader + $"Upload-Concat: final;{a} {b}\r\nContent-Length: 0\r\n", cancellationToken);
        string path = final.Final.Header("Location")!;

        Exchange before = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);
        await PatchAsync(server, b, 0, second, cancellationToken);
        Exchange after = await server.SendAsync("HEAD", path, TusHeader, cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(before.Final.StatusCode, Is.EqualTo(200));
            Assert.That(before.Final.Header("Upload-Offset"), Is.Null);
            Assert.That(after.Final.Header("Upload-Offset"), Is.EqualTo("3000"));
            Assert.That(server.Completions, Is.EqualTo(1));
        });
    }

    [TestCase("final;")]
    [TestCase("final;/files/00000000000000000000000000000000")]
    [TestCase("final;/elsewhere/x")]
    [TestCase("whole")]
    public async Task AFinalUploadMustNamePartialUploads(string concat, CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();

        Exchange final = await server.SendAsync("POST", "/files", TusHeader + $"Upload-Concat: {concat}\r\nContent-Length: 0\r\n", cancellationToken);

        Assert.That(final.Final.StatusCode, Is.EqualTo(400), final.ToString());
    }

    [Test]
    public async Task AnUploadNotMarkedPartialCannotBePartOfAFinalOne(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        string whole = await CreateAsync(server, "Upload-Length: 3\r\n", cancellationToken);

        Exchange final = await server.SendAsync("POST", "/files", TusHeader + $"Upload-Concat: final;{whole}\r\nContent-Length: 0\r\n", cancellationToken);

        Assert.That(final.Final.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public async Task AnUploadCreatedWithTusCanBeFinishedWithTheIetfDraftAndViceVersa(CancellationToken cancellationToken)
    {
        await using var server = UploadTestServer.Start();
        byte[] data = RandomNumberGenerator.GetBytes(10_000);
        string tusMade = await CreateAsync(server, "Upload-Length: 10000\r\n", cancellationToken);
        string ietfMade = await server.CreateAsync(10_000, cancellationToken);

        await PatchAsync(server, tusMade, 0, data.AsMemory(0, 4000), cancellationToken);
        Exchange ietfFinish = await server.AppendAsync(tusMade, 4000, complete: true, data.AsMemory(4000), cancellationToken);
        await server.AppendAsync(ietfMade, 0, complete: false, data.AsMemory(0, 4000), cancellationToken);
        Exchange tusFinish = await PatchAsync(server, ietfMade, 4000, data.AsMemory(4000), cancellationToken);
        Exchange tusResult = await server.SendAsync("GET", ietfMade + "/result", "", cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(ietfFinish.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)), ietfFinish.ToString());
            Assert.That(tusFinish.Final.StatusCode, Is.EqualTo(204));
            Assert.That(tusResult.Final.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data)));
            Assert.That(server.Completions, Is.EqualTo(2));
        });
    }

    private static async Task<string> PartAsync(UploadTestServer server, byte[] data, CancellationToken cancellationToken)
    {
        string path = await CreateAsync(server, $"Upload-Concat: partial\r\nUpload-Length: {data.Length}\r\n", cancellationToken);
        Exchange patched = await PatchAsync(server, path, 0, data, cancellationToken);
        Assert.That(patched.Final.StatusCode, Is.EqualTo(204), patched.ToString());
        return path;
    }
}
