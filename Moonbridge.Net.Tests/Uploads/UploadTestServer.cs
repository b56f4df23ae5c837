using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Uploads;

namespace Moonbridge.Net.Tests.Uploads;

/// <summary>
/// A server whose <c>/files</c> are resumable uploads in a temporary directory, with the Example's completion handler
/// (<c>{"bytes":N,"sha256":"..."}</c>) counting its runs; other paths answer 404. The owner is the
/// <c>X-Owner</c> request header, when sent.
/// </summary>
internal sealed class UploadTestServer : IAsyncDisposable
{
    private readonly TempDirectory _directory = new();
    private int _completions;

    private UploadTestServer(Action<ResumableUploadOptions>? configure, Func<CompletedUpload, CancellationToken, ValueTask<UploadResult>>? completed, Action<Moonbridge.Net.Http.HttpOptions>? http)
    {
        var options = new ResumableUploadOptions
        {
            Directory = _directory.Path,
            Owner = request => request.Headers.GetValue("X-Owner").Value,
            CheckpointInterval = TimeSpan.FromMilliseconds(50),
        };
        configure?.Invoke(options);
        Uploads = new ResumableUploads(options, async (upload, ct) =>
        {
            Interlocked.Increment(ref _completions);
            return completed is null ? await DigestAsync(upload, ct) : await completed(upload, ct);
        });
        Moonbridge.Net.Http.HttpOptions httpOptions = TestServer.HttpOptions();
        http?.Invoke(httpOptions);
        Server = TestServer.StartHttp(httpOptions, async (HttpRequest request, CancellationToken ct) =>
        {
            if (!await Uploads.TryHandleAsync(request, ct))
            {
                request.SendStatus(404);
            }

            return true;
        });
    }

    public TestServer Server { get; }

    public ResumableUploads Uploads { get; }

    public string Directory => _directory.Path;

    /// <summary>How often the completion handler ran.</summary>
    public int Completions => Volatile.Read(ref _completions);

    public static UploadTestServer Start(
        Action<ResumableUploadOptions>? configure = null,
        Func<CompletedUpload, CancellationToken, ValueTask<UploadResult>>? completed = null,
        Action<Moonbridge.Net.Http.HttpOptions>? http = null)
        => new(configure, completed, http);

    public Task<TestClient> ConnectAsync(CancellationToken cancellationToken) => Server.ConnectAsync(cancellationToken);

    /// <summary>Sends a request with <paramref name="body"/> on a new connection; returns every response (1xx first) up to the final one.</summary>
    public async Task<Exchange> SendAsync(string method, string target, string headers, ReadOnlyMemory<byte> body, CancellationToken cancellationToken, string version = "HTTP/1.1")
    {
        using TestClient client = await ConnectAsync(cancellationToken);
        await client.SendAsync(Head(method, target, headers + $"Content-Length: {body.Length}\r\n", version), cancellationToken);
        await client.SendAsync(body, cancellationToken);
        return await ReadExchangeAsync(client, method, cancellationToken);
    }

    /// <summary>A bodiless request on a new connection.</summary>
    public async Task<Exchange> SendAsync(string method, string target, string headers, CancellationToken cancellationToken)
    {
        using TestClient client = await ConnectAsync(cancellationToken);
        await client.SendAsync(Head(method, target, headers, "HTTP/1.1"), cancellationToken);
        return await ReadExchangeAsync(client, method, cancellationToken);
    }

    public static string Head(string method, string target, string headers, string version = "HTTP/1.1")
        => $"{method} {target} {version}\r\nHost: test\r\n{headers}\r\n";

    public static async Task<Exchange> ReadExchangeAsync(TestClient client, string method, CancellationToken cancellationToken)
    {
        var interim = new List<RawHttpResponse>();
        while (true)
        {
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken, forHead: method == "HEAD");
            if (response.StatusCode >= 200)
            {
                return new Exchange(interim, response);
            }

            interim.Add(response);
        }
    }

    /// <summary>Creates an upload with no content yet (careful creation); returns its path.</summary>
    public async Task<string> CreateAsync(long? length, CancellationToken cancellationToken, string headers = "")
    {
        string lengthField = length is { } l ? $"Upload-Length: {l.ToString(CultureInfo.InvariantCulture)}\r\n" : "";
        Exchange created = await SendAsync("POST", "/files", $"Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?0\r\n{lengthField}{headers}", ReadOnlyMemory<byte>.Empty, cancellationToken);
        Assert.That(created.Final.StatusCode, Is.EqualTo(201), created.Final.BodyText);
        return created.Final.Header("Location")!;
    }

    /// <summary>An append of <paramref name="data"/> at <paramref name="offset"/>.</summary>
    public Task<Exchange> AppendAsync(string path, long offset, bool complete, ReadOnlyMemory<byte> data, CancellationToken cancellationToken, string headers = "")
        => SendAsync("PATCH", path, AppendHeaders(offset, complete) + headers, data, cancellationToken);

    public static string AppendHeaders(long offset, bool complete, long version = 9)
        => $"Upload-Draft-Interop-Version: {version}\r\nUpload-Offset: {offset}\r\nUpload-Complete: {(complete ? "?1" : "?0")}\r\nContent-Type: application/partial-upload\r\n";

    /// <summary>
    /// Sends an IETF append's head on <paramref name="client"/>, then its content in pieces of <paramref name="step"/>
    /// bytes until the server acknowledges some of it with a progress 104 (a durable offset), at most half of it;
    /// returns how much was sent and the 104. The append then hangs, holding the upload.
    /// </summary>
    public static async Task<(int Sent, RawHttpResponse Progress)> AppendUntilAcknowledgedAsync(TestClient client, string path, byte[] data, bool complete, int step, CancellationToken cancellationToken)
    {
        await client.SendAsync(Head("PATCH", path, AppendHeaders(0, complete) + $"Content-Length: {data.Length}\r\n"), cancellationToken);
        int sent = 0;

        // Quick steps at first; from a quarter on, each step waits longer for the checkpoint (time-based, so a busy
        // machine may take a while) before sending more.
        while (!client.HasInputWithin(sent < data.Length / 4 ? TimeSpan.FromMilliseconds(20) : TimeSpan.FromSeconds(5)))
        {
            Assert.That(sent, Is.LessThan(data.Length / 2), "The server acknowledged nothing of half the content.");
            await client.SendAsync(data.AsMemory(sent, step), cancellationToken);
            sent += step;
        }

        RawHttpResponse progress = await client.ReadResponseAsync(cancellationToken);
        Assert.That(progress.StatusCode, Is.EqualTo(104), progress.ToString());
        Assert.That(progress.Header("Upload-Offset"), Is.Not.Null);
        return (sent, progress);
    }

    /// <summary>
    /// Begins a completing append of all of <paramref name="data"/> on a new connection, sends its first
    /// <paramref name="first"/> bytes and waits for the server's first checkpoint (a 104): the append holds the upload.
    /// </summary>
    public async Task<TestClient> BeginHoldingAppendAsync(string path, byte[] data, int first, CancellationToken cancellationToken)
    {
        TestClient client = await ConnectAsync(cancellationToken);
        await client.SendAsync(Head("PATCH", path, AppendHeaders(0, complete: true) + $"Content-Length: {data.Length}\r\n"), cancellationToken);
        await client.SendAsync(data.AsMemory(0, first), cancellationToken);
        Assert.That((await client.ReadResponseAsync(cancellationToken)).StatusCode, Is.EqualTo(104), "the append holds the upload");
        return client;
    }

    /// <summary>The upload's durable offset by HEAD.</summary>
    public async Task<long> OffsetAsync(string path, CancellationToken cancellationToken)
    {
        Exchange head = await SendAsync("HEAD", path, "Upload-Draft-Interop-Version: 9\r\n", cancellationToken);
        Assert.That(head.Final.StatusCode, Is.EqualTo(204));
        return long.Parse(head.Final.Header("Upload-Offset")!, CultureInfo.InvariantCulture);
    }

    /// <summary>The Example's answer for <paramref name="data"/>.</summary>
    public static string ExpectedResult(ReadOnlySpan<byte> data)
        => $"{{\"bytes\":{data.Length},\"sha256\":\"{Convert.ToHexStringLower(SHA256.HashData(data))}\"}}";

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Uploads.DisposeAsync();
        _directory.Dispose();
    }

    private static async ValueTask<UploadResult> DigestAsync(CompletedUpload upload, CancellationToken cancellationToken)
    {
        Stream content = await upload.OpenReadAsync(cancellationToken);
        await using (content)
        {
            byte[] sha256 = await SHA256.HashDataAsync(content, cancellationToken);
            return UploadResult.Json($"{{\"bytes\":{upload.Length},\"sha256\":\"{Convert.ToHexStringLower(sha256)}\"}}");
        }
    }
}

/// <summary>The interim responses and the final one of one request.</summary>
internal sealed record Exchange(IReadOnlyList<RawHttpResponse> Interim, RawHttpResponse Final)
{
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (RawHttpResponse response in Interim.Append(Final))
        {
            text.Append(response.Status).Append(" [").AppendJoin(", ", response.Headers.Select(h => $"{h.Key}: {h.Value}")).Append("] ");
        }

        return text.Append(Final.BodyText).ToString();
    }
}
