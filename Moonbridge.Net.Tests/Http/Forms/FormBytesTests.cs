using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Forms;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>Form values as bytes: what <see cref="HttpRequest.PostParams"/> holds is exactly what was sent.</summary>
[TestFixture]
public sealed class FormBytesTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ABinaryFileFieldThatIsNotStreamedKeepsItsBytesExactly()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        byte[] file = RandomBytes(100_000, seed: 13);
        Assume.That(() => new UTF8Encoding(false, true).GetString(file), Throws.InstanceOf<DecoderFallbackException>(), "the file is not valid UTF-8");
        byte[] body = MultipartBody.Build(
            FormPart.Text("comment", "héllo"),
            new FormPart("file", file, "random.bin", "application/octet-stream"),
            new FormPart("file", [0xFF, 0x00, 0xC3], "tiny.bin"));
        IReadOnlyList<byte[]>? files = null;
        byte[]? first = null;
        string? comment = null;
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), request =>
        {
            files = [.. request.PostParams.GetAllBytes("file").Select(b => b.ToArray())];
            first = request.PostParams.TryGetBytes("file", out ReadOnlyMemory<byte> bytes) ? bytes.ToArray() : null;
            comment = request.PostParams["comment"];
            request.SendStatus(200);
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/form", MultipartBody.ContentType, body.Length), cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(files, Has.Count.EqualTo(2));
        Assert.That(files![0], Is.EqualTo(file));
        Assert.That(files[1], Is.EqualTo((byte[])[0xFF, 0x00, 0xC3]));
        Assert.That(first, Is.EqualTo(file));
        Assert.That(comment, Is.EqualTo("héllo"), "the string view still decodes UTF-8");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task UrlencodedValuesKeepTheirPercentDecodedBytesAndEnumerateBytesFollowsArrivalOrder()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        const string body = "bin=%FF%00%C3&a=x+y&bin=%E2%82%AC&flag&a=%25";
        List<(string Name, byte[] Value)>? fields = null;
        IReadOnlyList<string>? binAsText = null;
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), request =>
        {
            fields = [.. request.PostParams.EnumerateBytes().Select(f => (f.Key, f.Value.ToArray()))];
            binAsText = request.PostParams.GetAll("bin");
            request.SendStatus(200);
            return true;
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/form", "application/x-www-form-urlencoded", body.Length) + body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(fields!.Select(f => f.Name), Is.EqualTo((string[])["bin", "a", "bin", "flag", "a"]));
        Assert.That(fields![0].Value, Is.EqualTo((byte[])[0xFF, 0x00, 0xC3]));
        Assert.That(fields![1].Value, Is.EqualTo("x y"u8.ToArray()));
        Assert.That(fields![2].Value, Is.EqualTo("€"u8.ToArray()));
        Assert.That(fields![3].Value, Is.Empty);
        Assert.That(fields![4].Value, Is.EqualTo("%"u8.ToArray()));
        Assert.That(binAsText, Is.EqualTo((string[])["\uFFFD\0\uFFFD", "€"]));
    }

    [Test]
    public void QueryStringValuesGiveTheirUtf8Bytes()
    {
        var parameters = new FormParameters();
        QueryStringParser.Parse("q=%C3%A9t%C3%A9&q=2", parameters);

        Assert.That(parameters.GetAllBytes("q").Select(b => b.ToArray()), Is.EqualTo((byte[][])["été"u8.ToArray(), "2"u8.ToArray()]));
        Assert.That(parameters.GetAllBytes("missing"), Is.Empty);
        Assert.That(parameters.TryGetBytes("missing", out _), Is.False);
    }

    internal static byte[] RandomBytes(int length, int seed)
    {
        byte[] bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
