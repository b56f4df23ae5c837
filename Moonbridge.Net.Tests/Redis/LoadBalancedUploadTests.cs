using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Redis;
using Moonbridge.Net.Tests.Uploads;
using StackExchange.Redis;

namespace Moonbridge.Net.Tests.Redis;

/// <summary>
/// Two Example processes (<c>--redis</c>, one shared <c>--upload-dir</c>) behind an HAProxy started by the test,
/// round robin: an upload cut mid-way whose instance is then killed (<c>kill -9</c>) is resumed through the
/// balancer on the other instance and ends with the right SHA-256, for the IETF draft and for tus. The uploads'
/// records live in Redis; the shared directory holds their bytes only.
/// </summary>
[TestFixture]
public sealed class LoadBalancedUploadTests : RedisTestFixture
{
    /// <summary>Bounds each test: the resuming instance waits up to one lease (15 s) for the dead one's claim.</summary>
    private const int TestMilliseconds = 120_000;

    private static readonly TimeSpan s_leaseWait = TimeSpan.FromSeconds(45);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnIetfUploadCutMidwayIsFinishedThroughTheBalancerAfterItsInstanceIsKilled(CancellationToken cancellationToken)
    {
        using var cluster = await Cluster.StartAsync(Redis, cancellationToken);
        byte[] data = RandomNumberGenerator.GetBytes(3_000_000);
        using TestClient creating = await cluster.ConnectAsync(cancellationToken);
        await creating.SendAsync(UploadTestServer.Head("POST", "/files", $"Upload-Draft-Interop-Version: 9\r\nUpload-Complete: ?0\r\nUpload-Length: {data.Length}\r\nContent-Length: 0\r\n"), cancellationToken);
        RawHttpResponse created = await ReadFinalAsync(creating, cancellationToken);
        Assert.That(created.StatusCode, Is.EqualTo(201), created.ToString());
        string path = created.Header("Location")!;

        // An append that the server acknowledges (a 104 with the durable offset) and that then stalls.
        using TestClient appending = await cluster.ConnectAsync(cancellationToken);
        (int sent, RawHttpResponse progress) = await UploadTestServer.AppendUntilAcknowledgedAsync(appending, path, data, complete: true, 20_000, cancellationToken);
        long acknowledged = long.Parse(progress.Header("Upload-Offset")!, CultureInfo.InvariantCulture);

        cluster.KillInstanceWriting(path);
        using TestClient resuming = await cluster.ConnectAsync(cancellationToken);
        resuming.Wait = s_leaseWait;
        await resuming.SendAsync(UploadTestServer.Head("HEAD", path, "Upload-Draft-Interop-Version: 9\r\n"), cancellationToken);
        RawHttpResponse head = await resuming.ReadResponseAsync(cancellationToken, forHead: true);
        Assert.That(head.StatusCode, Is.EqualTo(204), head.ToString());
        long offset = long.Parse(head.Header("Upload-Offset")!, CultureInfo.InvariantCulture);
        Assert.That(offset, Is.InRange(acknowledged, sent), "at least what was acknowledged before the kill");

        await resuming.SendAsync(UploadTestServer.Head("PATCH", path, UploadTestServer.AppendHeaders(offset, complete: true) + $"Content-Length: {data.Length - offset}\r\n"), cancellationToken);
        await resuming.SendAsync(data.AsMemory((int)offset), cancellationToken);
        RawHttpResponse finished = await ReadFinalAsync(resuming, cancellationToken);
        Assert.That(finished.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data) + "\n"), finished.ToString());
        cluster.AssertTheDirectoryHoldsBytesOnly();
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATusUploadCutMidwayIsFinishedThroughTheBalancerAfterItsInstanceIsKilled(CancellationToken cancellationToken)
    {
        using var cluster = await Cluster.StartAsync(Redis, cancellationToken);
        byte[] data = RandomNumberGenerator.GetBytes(3_000_000);
        const string Tus = "Tus-Resumable: 1.0.0\r\n";
        using TestClient client = await cluster.ConnectAsync(cancellationToken);
        await client.SendAsync(UploadTestServer.Head("POST", "/files", $"{Tus}Upload-Length: {data.Length}\r\nContent-Length: 0\r\n"), cancellationToken);
        RawHttpResponse created = await client.ReadResponseAsync(cancellationToken);
        Assert.That(created.StatusCode, Is.EqualTo(201), created.ToString());
        string path = new Uri(new Uri("http://x"), created.Header("Location")!).AbsolutePath;

        // A PATCH trickling its content until the server has checkpointed some of it; then its instance dies under it.
        using TestClient appending = await cluster.ConnectAsync(cancellationToken);
        await appending.SendAsync(UploadTestServer.Head("PATCH", path, $"{Tus}Upload-Offset: 0\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {data.Length}\r\n"), cancellationToken);
        int sent = 0;
        long durable = 0;
        while (durable == 0)
        {
            Assert.That(sent, Is.LessThan(data.Length / 2), "nothing of half the content was made durable");
            await appending.SendAsync(data.AsMemory(sent, 20_000), cancellationToken);
            sent += 20_000;
            await Task.Delay(20, cancellationToken);
            durable = await cluster.DurableOffsetAsync(path, cancellationToken);
        }

        cluster.KillInstanceWriting(path);
        client.Wait = s_leaseWait;
        await client.SendAsync(UploadTestServer.Head("HEAD", path, Tus), cancellationToken);
        RawHttpResponse head = await client.ReadResponseAsync(cancellationToken, forHead: true);
        Assert.That(head.StatusCode, Is.EqualTo(200), head.ToString());
        long offset = long.Parse(head.Header("Upload-Offset")!, CultureInfo.InvariantCulture);
        Assert.That(offset, Is.InRange(durable, sent), "at least what was durable before the kill");

        await client.SendAsync(UploadTestServer.Head("PATCH", path, $"{Tus}Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\nContent-Length: {data.Length - offset}\r\n"), cancellationToken);
        await client.SendAsync(data.AsMemory((int)offset), cancellationToken);
        RawHttpResponse patched = await client.ReadResponseAsync(cancellationToken);
        Assert.That(patched.StatusCode, Is.EqualTo(204), patched.ToString());
        await client.SendAsync(UploadTestServer.Head("GET", path + "/result", ""), cancellationToken);
        RawHttpResponse result = await client.ReadResponseAsync(cancellationToken);
        Assert.That(result.BodyText, Is.EqualTo(UploadTestServer.ExpectedResult(data) + "\n"), result.ToString());
        cluster.AssertTheDirectoryHoldsBytesOnly();
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATrackedUploadIsPolledAndStreamedThroughTheBalancerByTheOtherInstance(CancellationToken cancellationToken)
    {
        using var cluster = await Cluster.StartAsync(Redis, cancellationToken);
        using var http = new HttpClient { BaseAddress = cluster.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
        string id = $"balanced-{Guid.NewGuid():N}";
        const int Size = 2_000_000;
        using TestClient upload = await cluster.ConnectAsync(cancellationToken);
        await upload.SendAsync($"POST /upload?X-Progress-Id={id} HTTP/1.1\r\nHost: b\r\nContent-Type: application/octet-stream\r\nContent-Length: {Size}\r\n\r\n", cancellationToken);
        await upload.SendAsync(new byte[100_000], cancellationToken);

        // Event streams one after the other: round robin puts them on both instances (a few more attempts in case a
        // health check on a busy machine took one instance out for a moment).
        using HttpResponseMessage first = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/progress/events?X-Progress-Id={id}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        HttpResponseMessage second = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/progress/events?X-Progress-Id={id}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        for (int attempt = 0; attempt < 8 && ServedBy(second) == ServedBy(first); attempt++)
        {
            second.Dispose();
            second = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/progress/events?X-Progress-Id={id}"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }

        using HttpResponseMessage secondStream = second;
        string[] streamedBy = [ServedBy(first), ServedBy(second)];
        Assert.That(streamedBy[0], Is.Not.EqualTo(streamedBy[1]), "round robin");
        Task<List<string>>[] streams = [EventStatesAsync(first, cancellationToken), EventStatesAsync(second, cancellationToken)];

        var polls = new List<(string By, string State)>();
        for (int sent = 100_000; sent < Size; sent += 100_000)
        {
            // At every half megabyte, polls until both instances report it arrived (the other one through Redis) before
            // more is sent: the upload then spans several publish intervals however fast the machine is.
            var seenBy = new HashSet<string>();
            do
            {
                using HttpResponseMessage poll = await http.GetAsync($"/progress?X-Progress-Id={id}", cancellationToken);
                JsonElement progress = JsonDocument.Parse(await poll.Content.ReadAsStringAsync(cancellationToken)).RootElement;
                polls.Add((ServedBy(poll), progress.GetProperty("state").GetString()!));
                if (progress.TryGetProperty("received", out JsonElement received) && received.GetInt64() >= sent)
                {
                    seenBy.Add(ServedBy(poll));
                }
            }
            while (sent % 500_000 == 0 && seenBy.Count < 2);

            await upload.SendAsync(new byte[100_000], cancellationToken);
        }

        RawHttpResponse answer = await upload.ReadResponseAsync(cancellationToken);
        Assert.That(answer.StatusCode, Is.EqualTo(200), answer.ToString());
        string uploadedTo = answer.Header("X-Served-By")!;
        List<string> fromOther = await streams[Array.FindIndex(streamedBy, by => by != uploadedTo)];

        Assert.Multiple(() =>
        {
            Assert.That(polls.Where(p => p.By != uploadedTo).Select(p => p.State), Does.Contain("running"), string.Join(", ", polls));
            Assert.That(fromOther.Count(state => state == "running"), Is.GreaterThan(1), string.Join(", ", fromOther));
            Assert.That(fromOther[^1], Is.EqualTo("done"), string.Join(", ", fromOther));
        });
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AJobStartedThroughTheBalancerIsReadAndDeletedByTheOtherInstance(CancellationToken cancellationToken)
    {
        using var cluster = await Cluster.StartAsync(Redis, cancellationToken);
        using var http = new HttpClient { BaseAddress = cluster.BaseUri, Timeout = TimeSpan.FromSeconds(20) };
        using var start = new HttpRequestMessage(HttpMethod.Post, "/job?steps=400&delay_ms=50") { Content = new ByteArrayContent([]) };
        start.Headers.Add("Prefer", "respond-async");
        using HttpResponseMessage accepted = await http.SendAsync(start, cancellationToken);
        Assert.That((int)accepted.StatusCode, Is.EqualTo(202));
        string runsOn = ServedBy(accepted);
        Uri location = accepted.Headers.Location!;

        // Round robin: within a few requests one lands on the other instance.
        HttpResponseMessage? readElsewhere = null;
        while (readElsewhere is null)
        {
            HttpResponseMessage status = await http.GetAsync(location, cancellationToken);
            Assert.That((int)status.StatusCode, Is.EqualTo(200), await status.Content.ReadAsStringAsync(cancellationToken));
            if (ServedBy(status) != runsOn)
            {
                readElsewhere = status;
            }
            else
            {
                status.Dispose();
            }
        }

        using (readElsewhere)
        {
            Assert.That(readElsewhere.Headers.GetValues("Progress").Single(), Does.Match("^[0-9]+/"));
        }

        // Round robin alternates: one request for the running instance, and the DELETE goes to the other.
        using (await http.GetAsync("/favicon.ico", cancellationToken))
        {
        }

        using (HttpResponseMessage deleted = await http.DeleteAsync(location, cancellationToken))
        {
            Assert.That((int)deleted.StatusCode, Is.EqualTo(204));
            if (ServedBy(deleted) == runsOn)
            {
                Assert.Inconclusive("Round robin sent the DELETE to the instance running the job.");
            }
        }

        var gone = new HashSet<string>();
        while (gone.Count < 2)
        {
            using HttpResponseMessage after = await http.GetAsync(location, cancellationToken);
            Assert.That((int)after.StatusCode, Is.EqualTo(404), $"deleted for every instance ({ServedBy(after)})");
            gone.Add(ServedBy(after));
        }
    }

    private static string ServedBy(HttpResponseMessage response) => response.Headers.GetValues("X-Served-By").Single();

    private static async Task<List<string>> EventStatesAsync(HttpResponseMessage stream, CancellationToken cancellationToken)
    {
        var states = new List<string>();
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cancellationToken));
        while (await reader.ReadLineAsync(cancellationToken) is { } line && line != "event: end")
        {
            if (line.StartsWith("data: {", StringComparison.Ordinal))
            {
                states.Add(JsonDocument.Parse(line[6..]).RootElement.GetProperty("state").GetString()!);
            }
        }

        return states;
    }

    private static async Task<RawHttpResponse> ReadFinalAsync(TestClient client, CancellationToken cancellationToken)
    {
        while (true)
        {
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
            if (response.StatusCode >= 200)
            {
                return response;
            }
        }
    }

    /// <summary>Redis (the fixture's), two Example instances on one upload directory, and HAProxy in front.</summary>
    private sealed class Cluster : IDisposable
    {
        private static readonly string[] s_bytesOnly = [".data"];
        private readonly TempDirectory _uploads;
        private readonly ExampleServerProcess[] _instances;
        private readonly HaproxyProcess _proxy;
        private readonly IConnectionMultiplexer _redis;

        private Cluster(TempDirectory uploads, ExampleServerProcess[] instances, HaproxyProcess proxy, IConnectionMultiplexer redis)
        {
            _uploads = uploads;
            _redis = redis;
            _instances = instances;
            _proxy = proxy;
        }

        public static async Task<Cluster> StartAsync(RedisServerProcess redis, CancellationToken cancellationToken)
        {
            var uploads = new TempDirectory();
            var instances = new List<ExampleServerProcess>();
            try
            {
                for (int i = 0; i < 2; i++)
                {
                    instances.Add(await ExampleServerProcess.StartAsync(cancellationToken, "--redis", redis.Configuration, "--upload-dir", uploads.Path));
                }

                HaproxyProcess proxy = await HaproxyProcess.StartAsync(instances.Select(e => e.Port).ToArray(), cancellationToken);
                return new Cluster(uploads, [.. instances], proxy, await RedisConnection.ConnectAsync(redis.Configuration));
            }
            catch
            {
                instances.ForEach(e => e.Dispose());
                uploads.Dispose();
                throw;
            }
        }

        public Uri BaseUri => _proxy.BaseUri;

        public Task<TestClient> ConnectAsync(CancellationToken cancellationToken) => TestClient.ConnectAsync(_proxy.Port, cancellationToken);

        /// <summary>Kills (SIGKILL) the instance that has the upload's data file open for writing: the one serving its append.</summary>
        public void KillInstanceWriting(string path)
            => _instances.Single(e => HasOpen(e.ProcessId, Path.GetFileName(path) + ".data")).Dispose();

        /// <summary>
        /// The durable offset the upload's record in Redis states now; its record is nowhere on the shared directory,
        /// which holds the bytes only.
        /// </summary>
        public async Task<long> DurableOffsetAsync(string path, CancellationToken cancellationToken)
        {
            string id = Path.GetFileName(path);
            AssertTheDirectoryHoldsBytesOnly();
            RedisValue offset = await _redis.GetDatabase().HashGetAsync($"moonbridge:upload:{id}:record", "o").WaitAsync(cancellationToken);
            return offset.IsNull ? 0 : (long)offset;
        }

        /// <summary>The instances keep their uploads' records in Redis: only data files are on the shared directory.</summary>
        public void AssertTheDirectoryHoldsBytesOnly()
            => Assert.That(Directory.GetFiles(_uploads.Path).Select(Path.GetExtension).Distinct(), Is.EquivalentTo(s_bytesOnly), "the records are in Redis");

        public void Dispose()
        {
            _proxy.Dispose();
            _redis.Dispose();
            foreach (ExampleServerProcess instance in _instances)
            {
                instance.Dispose();
            }

            _uploads.Dispose();
        }

        private static bool HasOpen(int pid, string fileName)
        {
            try
            {
                return new DirectoryInfo($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/fd").EnumerateFileSystemInfos()
                    .Any(fd => fd.LinkTarget?.EndsWith(fileName, StringComparison.Ordinal) == true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return false;
            }
        }
    }
}
