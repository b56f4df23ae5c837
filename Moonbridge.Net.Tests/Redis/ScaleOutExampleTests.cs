using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// Two Example processes started with <c>--redis</c> on one redis-server of the test's own: what one instance
/// serves (a tracked upload, a <c>Prefer: respond-async</c> job) is seen, followed and deleted through the other.
/// </summary>
[TestFixture]
public sealed class ScaleOutExampleTests : RedisTestFixture, IDisposable
{
    private const int TestMilliseconds = 60_000;

    private TempDirectory _uploads = null!;
    private ExampleServerProcess? _a;
    private ExampleServerProcess? _b;
    private HttpClient _clientA = null!;
    private HttpClient _clientB = null!;

    [OneTimeSetUp]
    public async Task StartInstances()
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _uploads = new TempDirectory();
        _a = await ExampleServerProcess.StartAsync(limit.Token, "--redis", Redis.Configuration, "--upload-dir", _uploads.Path);
        _b = await ExampleServerProcess.StartAsync(limit.Token, "--redis", Redis.Configuration, "--upload-dir", _uploads.Path);
        _clientA = new HttpClient { BaseAddress = _a.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
        _clientB = new HttpClient { BaseAddress = _b.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
    }

    public void Dispose()
    {
        _clientA?.Dispose();
        _clientB?.Dispose();
        _a?.Dispose();
        _b?.Dispose();
        _uploads?.Dispose();
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadToOneInstanceIsPolledOnTheOther(CancellationToken cancellationToken)
    {
        string id = $"scale-{Guid.NewGuid():N}";
        const int Size = 1_000_000;
        using var upload = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await upload.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _a!.Port), cancellationToken);
        await upload.SendAsync(Encoding.ASCII.GetBytes($"POST /upload?X-Progress-Id={id} HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\nContent-Length: {Size}\r\n\r\n"), cancellationToken);
        await upload.SendAsync(new byte[300_000], cancellationToken);

        JsonElement running = await PollUntilAsync(id, p => p.GetProperty("state").GetString() == "running" && p.GetProperty("received").GetInt64() >= 300_000, cancellationToken);
        Assert.That(running.GetProperty("request_size").GetInt64(), Is.EqualTo(Size));

        await upload.SendAsync(new byte[Size - 300_000], cancellationToken);
        string answer = await ReadAnswerAsync(upload, cancellationToken);
        Assert.That(answer, Does.StartWith("HTTP/1.1 200").And.EndWith($"{Size}\n"));

        JsonElement done = await PollUntilAsync(id, p => p.GetProperty("state").GetString() == "done", cancellationToken);
        Assert.That(done.GetProperty("received").GetInt64(), Is.EqualTo(Size));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadToOneInstanceIsStreamedAsServerSentEventsByTheOther(CancellationToken cancellationToken)
    {
        string id = $"events-{Guid.NewGuid():N}";
        const int Size = 2_000_000;
        using var upload = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await upload.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _a!.Port), cancellationToken);
        await upload.SendAsync(Encoding.ASCII.GetBytes($"POST /upload?X-Progress-Id={id} HTTP/1.1\r\nHost: a\r\nContent-Type: application/octet-stream\r\nContent-Length: {Size}\r\n\r\n"), cancellationToken);
        await upload.SendAsync(new byte[100_000], cancellationToken);
        await PollUntilAsync(id, p => p.GetProperty("state").GetString() == "running", cancellationToken);

        // B streams the events: each change A writes to Redis reaches it by pub/sub.
        using var events = new HttpRequestMessage(HttpMethod.Get, $"/progress/events?X-Progress-Id={id}");
        using HttpResponseMessage stream = await _clientB.SendAsync(events, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        Assert.That(stream.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cancellationToken));
        var states = new List<string>();
        Task sending = Task.Run(async () =>
        {
            for (int sent = 100_000; sent < Size; sent += 100_000)
            {
                await upload.SendAsync(new byte[100_000], cancellationToken);
                await Task.Delay(30, cancellationToken);
            }
        }, cancellationToken);

        while (await reader.ReadLineAsync(cancellationToken) is { } line && line != "event: end")
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                states.Add(JsonDocument.Parse(line[6..]).RootElement.GetProperty("state").GetString()!);
            }
        }

        await sending;
        Assert.That(states.Count(s => s == "running"), Is.GreaterThan(2), string.Join(",", states));
        Assert.That(states[^1], Is.EqualTo("done"), string.Join(",", states));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AJobStartedOnOneInstanceIsReadAndDeletedThroughTheOther(CancellationToken cancellationToken)
    {
        using var start = new HttpRequestMessage(HttpMethod.Post, "/job?steps=200&delay_ms=50");
        start.Headers.Add("Prefer", "respond-async");
        start.Content = new ByteArrayContent([]);
        using HttpResponseMessage accepted = await _clientA.SendAsync(start, cancellationToken);
        Assert.That((int)accepted.StatusCode, Is.EqualTo(202));
        Uri location = accepted.Headers.Location!;

        // The status document is written by A at most every 100 ms; B follows it from Redis (Prefer: processing
        // gives a 102 with Progress at each change) until the job's first report shows.
        string target = location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
        using (TestClient follow = await TestClient.ConnectAsync(_b!.Port, cancellationToken))
        {
            await follow.SendAsync($"GET {target} HTTP/1.1\r\nHost: b\r\nPrefer: processing\r\n\r\n", cancellationToken);
            string? followed = null;
            while (followed is null || followed.StartsWith("0/", StringComparison.Ordinal))
            {
                RawHttpResponse interim = await follow.ReadResponseAsync(cancellationToken);
                Assert.That(interim.StatusCode, Is.EqualTo(102), interim.ToString());
                followed = interim.Header("Progress");
            }
        }

        using HttpResponseMessage status = await _clientB.GetAsync(location, cancellationToken);
        Assert.That((int)status.StatusCode, Is.EqualTo(200), await status.Content.ReadAsStringAsync(cancellationToken));
        string progress = status.Headers.GetValues("Progress").Single();
        Assert.That(progress, Does.Match("^[0-9]+/200"));
        using (HttpResponseMessage deleted = await _clientB.DeleteAsync(location, cancellationToken))
        {
            Assert.That((int)deleted.StatusCode, Is.EqualTo(204));
        }

        using HttpResponseMessage gone = await _clientB.GetAsync(location, cancellationToken);
        Assert.That((int)gone.StatusCode, Is.EqualTo(404));
        using HttpResponseMessage goneOnA = await _clientA.GetAsync(location, cancellationToken);
        Assert.That((int)goneOnA.StatusCode, Is.EqualTo(404), "deleted for every instance");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnExampleWhoseRedisCannotBeReachedExitsWithOneClearLine(CancellationToken cancellationToken)
    {
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in (string[])[ExampleServerProcess.ExampleDll, "--port", "0", "--host", "127.0.0.1", "--redis", "127.0.0.1:1"])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        try
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            string error = await process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            Assert.That(process.ExitCode, Is.EqualTo(1), await output);
            Assert.That(error.Trim(), Does.StartWith("example: Redis at 127.0.0.1:1 could not be reached").And.Not.Contain("   at "), error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
    }

    /// <summary>
    /// Follows the upload on B's event stream (changes arrive by pub/sub) until <paramref name="condition"/> holds, then
    /// polls B once and returns that answer, which must hold it too.
    /// </summary>
    private async Task<JsonElement> PollUntilAsync(string id, Func<JsonElement, bool> condition, CancellationToken cancellationToken)
    {
        using (HttpResponseMessage events = await _clientB.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/progress/events?X-Progress-Id={id}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken))
        using (var reader = new StreamReader(await events.Content.ReadAsStreamAsync(cancellationToken)))
        {
            while (true)
            {
                string? line = await reader.ReadLineAsync(cancellationToken);
                Assert.That(line, Is.Not.Null.And.Not.EqualTo("event: end"), "the stream ended before the state was reached");
                if (line!.StartsWith("data: {", StringComparison.Ordinal) && condition(JsonDocument.Parse(line[6..]).RootElement))
                {
                    break;
                }
            }
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/progress?X-Progress-Id={id}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using HttpResponseMessage response = await _clientB.SendAsync(request, cancellationToken);
        JsonElement progress = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement.Clone();
        Assert.That(condition(progress), Is.True, progress.ToString());
        return progress;
    }

    /// <summary>Reads the upload's answer: a head, then a one-line body.</summary>
    private static async Task<string> ReadAnswerAsync(Socket socket, CancellationToken cancellationToken)
    {
        var answer = new StringBuilder();
        byte[] buffer = new byte[4096];
        while (true)
        {
            string text = answer.ToString();
            int head = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (head >= 0 && text.Length > head + 4 && text.EndsWith('\n'))
            {
                return text;
            }

            int read = await socket.ReceiveAsync(buffer, cancellationToken);
            if (read == 0)
            {
                return text;
            }

            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
    }
}
