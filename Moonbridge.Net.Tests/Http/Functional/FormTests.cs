using System.Text;
using System.Text.RegularExpressions;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Forms;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class FormTests
{
    private const int TestMilliseconds = 15_000;

    private static readonly byte[] s_firstFile = RequestBodyTests.Pattern(250);
    private static readonly byte[] s_secondFile = Encoding.UTF8.GetBytes("second file\r\n--not a boundary\r\n");

    private static readonly byte[] s_upload = MultipartBody.Build(
        FormPart.Text("comment", "Tom & Jerry <3"),
        new FormPart("files", s_firstFile, "first.bin", "application/octet-stream"),
        new FormPart("files", s_secondFile, "second.txt", "text/plain"),
        new FormPart("files", [], "empty.txt", "text/plain"),
        FormPart.Text("comment", "again"));

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUrlencodedBodyFillsPostParamsAndPostParamsList([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        FormParameters? seen = null;
        await using TestServer server = StartFormServer(form, null, request => seen = request.PostParams);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        const string body = "a=1&b=x+y%21&a=2&c=&d=%C3%A9";

        await client.SendAsync(MultipartBody.PostHead("/form", "application/x-www-form-urlencoded", body.Length) + body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(seen, Is.Not.Null);
        Assert.That(seen!["a"], Is.EqualTo("1"));
        Assert.That(seen.GetAll("a"), Is.EqualTo((string[])["1", "2"]));
        Assert.That(seen["b"], Is.EqualTo("x y!"));
        Assert.That(seen["c"], Is.Empty);
        Assert.That(seen["d"], Is.EqualTo("é"));
        Assert.That(seen["missing"], Is.Null);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AMultipartBodyFillsPostParamsAndPostMetadataListForEveryPart([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        IReadOnlyList<string>? comments = null;
        IReadOnlyList<string>? files = null;
        IReadOnlyDictionary<string, IReadOnlyList<PostMetadata>>? metadata = null;
        PostMetadata? firstComment = null;
        await using TestServer server = StartFormServer(form, null, request =>
        {
            comments = request.PostParamsList["comment"];
            files = request.PostParamsList["files"];
            metadata = request.PostMetadataList;
            firstComment = request.PostMetadata["comment"];
        });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/upload", MultipartBody.ContentType, s_upload.Length), cancellationToken);
        await client.SendAsync(s_upload, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(comments, Is.EqualTo((string[])["Tom & Jerry <3", "again"]));
        Assert.That(files, Has.Count.EqualTo(3));
        Assert.That(files![1], Is.EqualTo(Encoding.UTF8.GetString(s_secondFile)));
        Assert.That(files[2], Is.Empty);
        Assert.That(metadata!["files"].Select(m => m.FileName), Is.EqualTo((string[])["first.bin", "second.txt", "empty.txt"]));
        Assert.That(metadata["files"].Select(m => m.ContentType), Is.EqualTo((string[])["application/octet-stream", "text/plain", "text/plain"]));
        Assert.That(metadata["comment"], Has.Count.EqualTo(2));
        Assert.That(firstComment!.FileName, Is.Null);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task StreamPostParamCallsBackWithFirstDataMoreDataAndAFinalEndAndOnceEmptyForAnEmptyFile(
        [Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var calls = new List<StreamCall>();
        IReadOnlyList<string>? comments = null;
        bool filesCollected = true;
        await using TestServer server = StartFormServer(
            form,
            request => request.StreamPostParam("files", (meta, data, isEnd) => calls.Add(new StreamCall(meta, data.ToArray(), isEnd))),
            request =>
            {
                comments = request.PostParamsList["comment"];
                filesCollected = request.PostParams.Contains("files");
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(MultipartBody.PostHead("/upload", MultipartBody.ContentType, s_upload.Length), cancellationToken);
        await client.SendAsync(s_upload, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(comments, Is.EqualTo((string[])["Tom & Jerry <3", "again"]), "fields not streamed are still collected");
        Assert.That(filesCollected, Is.False, "streamed fields are not collected");
        List<List<StreamCall>> parts = SplitIntoParts(calls);
        Assert.That(parts.Select(p => p[0].Metadata.FileName), Is.EqualTo((string[])["first.bin", "second.txt", "empty.txt"]));
        Assert.That(parts[0], Has.Count.GreaterThanOrEqualTo(3), "first data, more data, end");
        Assert.That(Concat(parts[0]), Is.EqualTo(s_firstFile));
        Assert.That(Concat(parts[1]), Is.EqualTo(s_secondFile));
        Assert.That(parts[2].Select(c => (c.Data.Length, c.IsEnd)), Is.EqualTo(((int, bool)[])[(0, false), (0, true)]));
        foreach (List<StreamCall> part in parts)
        {
            Assert.That(part.SkipLast(1).Select(c => c.IsEnd), Is.All.False);
            Assert.That(part[^1].IsEnd, Is.True);
            Assert.That(part[^1].Data, Is.Empty);
            Assert.That(part.Select(c => c.Metadata), Is.All.SameAs(part[0].Metadata));
        }

        Assert.That(parts.Take(2).SelectMany(p => p.SkipLast(1)).Select(c => c.Data.Length), Is.All.GreaterThan(0));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task StreamPostParamsStreamsEveryFieldWhoseNameMatchesThePattern([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var calls = new List<StreamCall>();
        string? other = null;
        await using TestServer server = StartFormServer(
            form,
            request => request.StreamPostParams(new Regex("^file_[0-9]+$"), (meta, data, isEnd) => calls.Add(new StreamCall(meta, data.ToArray(), isEnd))),
            request => other = request.PostParams["file_x"]);
        using TestClient client = await server.ConnectAsync(cancellationToken);
        byte[] body = MultipartBody.Build(
            new FormPart("file_1", s_firstFile, "one.bin"),
            FormPart.Text("file_x", "not streamed"),
            new FormPart("file_22", s_secondFile, "two.txt"));

        await client.SendAsync(MultipartBody.PostHead("/upload", MultipartBody.ContentType, body.Length), cancellationToken);
        await client.SendAsync(body, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        List<List<StreamCall>> parts = SplitIntoParts(calls);
        Assert.That(parts.Select(p => p[0].Metadata.FieldName), Is.EqualTo((string[])["file_1", "file_22"]));
        Assert.That(Concat(parts[0]), Is.EqualTo(s_firstFile));
        Assert.That(Concat(parts[1]), Is.EqualTo(s_secondFile));
        Assert.That(other, Is.EqualTo("not streamed"));
    }

    private sealed record StreamCall(PostMetadata Metadata, byte[] Data, bool IsEnd);

    private static List<List<StreamCall>> SplitIntoParts(List<StreamCall> calls)
    {
        var parts = new List<List<StreamCall>>();
        var current = new List<StreamCall>();
        foreach (StreamCall call in calls)
        {
            current.Add(call);
            if (call.IsEnd)
            {
                parts.Add(current);
                current = [];
            }
        }

        Assert.That(current, Is.Empty, "every part ends with an end call");
        return parts;
    }

    private static byte[] Concat(List<StreamCall> part) => [.. part.SelectMany(c => c.Data)];

    /// <summary>
    /// A server with a small input chunk size whose handler runs <paramref name="register"/> first, then
    /// processes the body (blocking, or with ProcessRequestBodyAsync), then runs <paramref name="inspect"/>
    /// and answers 200.
    /// </summary>
    private static TestServer StartFormServer(HandlerForm form, Action<HttpRequest>? register, Action<HttpRequest> inspect)
    {
        HttpOptions options = TestServer.HttpOptions();
        options.MaximumInputChunkSize = 100;
        return TestServer.StartHttp(
            form,
            options,
            request =>
            {
                register?.Invoke(request);
                request.ProcessRequestBody();
                inspect(request);
                request.SendStatus(200);
                return true;
            },
            async (request, ct) =>
            {
                register?.Invoke(request);
                await request.ProcessRequestBodyAsync(ct);
                inspect(request);
                request.SendStatus(200);
                return true;
            });
    }
}
