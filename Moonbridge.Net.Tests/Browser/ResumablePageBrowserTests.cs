using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Browser;

/// <summary>
/// The example's resumable-upload page (examples/Example/wwwroot/resumable.html) in a real headless Chromium
/// (<see cref="HeadlessChromium"/>): plain fetch against the IETF resumable-upload face on /files, straight through,
/// interrupted by the browser going offline, and cut off in the middle of an append by a loopback proxy.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ResumablePageBrowserTests
{
    private const int TestMilliseconds = 120_000;
    private const float UploadMilliseconds = 60_000;
    private const long Chunk = 4L * 1024 * 1024; // the page's largest append

    // Not multiples of the page's appends, so the last append is a short one.
    private const long SmallLength = (3 * Chunk) + 12_345;
    private const long LargeLength = (10 * Chunk) + 777;

    // Ends the wait on success (both digests shown) or on the page giving up ("Failed: …"), whichever comes first.
    private const string Settled = """
        () => {
          const hex = id => /^[0-9a-f]{64}$/.test(document.getElementById(id).textContent);
          return (hex('sha256') && hex('localsha256')) || document.getElementById('state').textContent.startsWith('Failed');
        }
        """;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheResumablePageUploadsAFileAndBothDigestsMatch(CancellationToken cancellationToken)
    {
        await using Run run = await Run.StartAsync(SmallLength, 20260201, proxyCutAfter: null, cancellationToken);
        IPage page = run.Page;
        await page.Locator("#start").ClickAsync();
        await run.WaitUntilSettledAsync("resumable-small-timeout");

        string context = await run.ContextAsync();
        using (Assert.EnterMultipleScope())
        {
            await run.AssertDigestsAsync(context);
            Assert.That(await page.Locator("#state").TextContentAsync(), Is.EqualTo($"Done: {SmallLength} bytes stored."), context);
            Assert.That(await page.Locator("#percent").TextContentAsync(), Is.EqualTo("100.0 %"), context);
            Assert.That(await page.EvaluateAsync<double>("() => document.getElementById('bar').value"), Is.EqualTo((double)SmallLength), context);
            Assert.That(await page.Locator("#start").IsEnabledAsync(), Is.True, "the button after the upload");
            // One creation, then one append per started 4 MiB: nothing failed, so nothing was sent twice.
            Assert.That(run.Log.Count("POST", "/files"), Is.EqualTo(1), context);
            Assert.That(run.Log.PatchOffsets, Is.EqualTo(new long[] { 0, Chunk, 2 * Chunk, 3 * Chunk }), context);
            Assert.That(run.Log.Failures, Is.Empty, context);
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadInterruptedByGoingOfflineWaitsForTheNetworkAndResumes(CancellationToken cancellationToken)
    {
        await using Run run = await Run.StartAsync(LargeLength, 20260202, proxyCutAfter: null, cancellationToken);
        IPage page = run.Page;
        await page.Locator("#start").ClickAsync();

        // The first append has been answered: the upload is under way, with nine more appends to come.
        await page.WaitForFunctionAsync("() => document.getElementById('bar').value > 0");
        run.Log.Mark("offline");
        await run.Browser.SetOfflineAsync(true);

        // Chromium's offline emulation lets an append already in flight finish and fails the next request, which
        // the page reports; the upload must not have finished before that (it had nine appends to go).
        await page.WaitForFunctionAsync($"() => document.getElementById('state').textContent.startsWith('Connection lost') || ({Settled})()");
        Assert.That(await page.Locator("#state").TextContentAsync(), Does.StartWith("Connection lost"), await run.ContextAsync());

        // Then the page waits for the "online" event instead of retrying into the void.
        await page.WaitForFunctionAsync("() => window.onlineWaits > 0");
        int failuresWhileOffline = run.Log.Failures.Count;
        run.Log.Mark("online");
        await run.Browser.SetOfflineAsync(false);
        await run.WaitUntilSettledAsync("resumable-offline-timeout");

        string context = await run.ContextAsync();
        long resumedFrom = await ResumedFromAsync(page);
        using (Assert.EnterMultipleScope())
        {
            await run.AssertDigestsAsync(context);
            Assert.That(await page.Locator("#state").TextContentAsync(), Is.EqualTo($"Done: {LargeLength} bytes stored."), context);
            Assert.That(run.Log.Count("POST", "/files"), Is.EqualTo(1), "the upload resumed rather than starting again; " + context);
            Assert.That(resumedFrom, Is.GreaterThanOrEqualTo(Chunk), "resumed after the appends the server had stored; " + context);
            Assert.That(run.Log.Failures, Has.Count.EqualTo(1).And.Some.Contains("ERR_INTERNET_DISCONNECTED"), context);
            Assert.That(failuresWhileOffline, Is.EqualTo(1), "one failed request while offline, then waiting; " + context);
        }

        await run.AssertStoredResultAsync(cancellationToken);
    }

    /// <summary>
    /// Going offline never cuts an append in the middle (see above), so this cuts the connections themselves after
    /// 6 MiB, half way through the second append. The server keeps what arrived; the page learns where that ends
    /// either from a 409 (when Chromium resends the PATCH on a new connection by itself) or from HEAD after
    /// "Connection lost", and must go on from that offset, which is no multiple of 4 MiB.
    /// </summary>
    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnAppendCutOffInTheMiddleResumesFromTheServersOffset(CancellationToken cancellationToken)
    {
        await using Run run = await Run.StartAsync(LargeLength, 20260203, proxyCutAfter: Chunk + (Chunk / 2), cancellationToken);
        await run.Page.Locator("#start").ClickAsync();
        await run.WaitUntilSettledAsync("resumable-cut-timeout");

        string context = await run.ContextAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.Proxy!.Cut, Is.False, run.Proxy.Debug);
            await run.AssertDigestsAsync(context);
            Assert.That(run.Log.Count("POST", "/files"), Is.EqualTo(1), "the upload resumed rather than starting again; " + context);
            Assert.That(run.Log.PatchOffsets, Has.Some.InRange(Chunk + 1, (2 * Chunk) - 1), "no append from the server's partial offset; " + context);
        }

        await run.AssertStoredResultAsync(cancellationToken);
    }

    /// <summary>Where the page went on after its last failure: the offset in its first "Uploading from byte N" line after it.</summary>
    private static async Task<long> ResumedFromAsync(IPage page)
    {
        List<string> states = await StatesAsync(page);
        int lost = states.FindLastIndex(line => line.Contains("Connection lost", StringComparison.Ordinal));
        Match? resumed = lost < 0 ? null : states.Skip(lost).Select(line => UploadingFrom().Match(line)).FirstOrDefault(m => m.Success);
        Assert.That(resumed, Is.Not.Null, "no connection loss followed by a resumption: " + string.Join(" | ", states));
        return long.Parse(resumed!.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The (bar value, state text) pairs the page showed, as recorded by the observers <see cref="Run"/> installs.</summary>
    private static async Task<List<string>> StatesAsync(IPage page)
        => [.. (await page.EvaluateAsync<JsonElement>("() => window.states")).EnumerateArray().Select(line => line.GetString() ?? "")];

    /// <summary>Writes <paramref name="length"/> bytes that do not compress, from a fixed seed; returns their SHA-256 in hex.</summary>
    private static async Task<string> WriteRandomFileAsync(string path, long length, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        byte[] block = new byte[1024 * 1024];
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        for (long written = 0; written < length; written += block.Length)
        {
            random.NextBytes(block);
            Memory<byte> piece = block.AsMemory(0, (int)Math.Min(block.Length, length - written));
            sha256.AppendData(piece.Span);
            await file.WriteAsync(piece, cancellationToken);
        }

        return Convert.ToHexStringLower(sha256.GetHashAndReset());
    }

    [GeneratedRegex(@"Uploading from byte (\d+)")]
    private static partial Regex UploadingFrom();

    /// <summary>
    /// One test's world: a generated file, the example with its own upload directory, optionally a cutting proxy in
    /// front of it, and Chromium on resumable.html with the file chosen. Disposing ends them in reverse order.
    /// </summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();
        private readonly TempDirectory _temp = new();
        private ExampleServerProcess? _example;
        private IPlaywright? _playwright;

        public string Expected { get; private set; } = "";

        public NetworkLog Log { get; } = new();

        public CuttingProxy? Proxy { get; private set; }

        public IBrowserContext Browser { get; private set; } = null!;

        public IPage Page { get; private set; } = null!;

        private ExampleServerProcess Example => _example!;

        public static async Task<Run> StartAsync(long length, int seed, long? proxyCutAfter, CancellationToken cancellationToken)
        {
            HeadlessChromium.IgnoreWhenMissing();
            var run = new Run();
            try
            {
                string upload = run._temp.File("upload.bin");
                run.Expected = await WriteRandomFileAsync(upload, length, seed, cancellationToken);
                run._example = await ExampleServerProcess.StartAsync(cancellationToken, "--upload-dir", Directory.CreateDirectory(run._temp.File("uploads")).FullName);
                run.Proxy = proxyCutAfter is { } cut ? new CuttingProxy(run.Example.Port, cut) : null;
                run._playwright = await Playwright.CreateAsync();
                run.Browser = await HeadlessChromium.LaunchAsync(run._playwright, Directory.CreateDirectory(run._temp.File("profile")).FullName);
                run.Page = await HeadlessChromium.PageAsync(run.Browser);
                run.Log.Watch(run.Page);
                IResponse? response = await run.Page.GotoAsync(new Uri(run.Proxy?.BaseUri ?? run.Example.BaseUri, "/resumable.html").ToString());
                Assert.That(response?.Status, Is.EqualTo(200), "resumable.html");

                // Every (bar value, state text) pair, in order, as the page changes them; and a count of the page's waits
                // for the "online" event (its only use of window.addEventListener), the signal that it stopped retrying.
                await run.Page.EvaluateAsync("""
                    () => {
                      window.states = [];
                      window.onlineWaits = 0;
                      const state = document.getElementById('state'), bar = document.getElementById('bar');
                      const note = () => window.states.push(bar.value + ' ' + state.textContent);
                      new MutationObserver(note).observe(state, { subtree: true, childList: true, characterData: true });
                      new MutationObserver(note).observe(bar, { attributes: true });
                      const add = window.addEventListener.bind(window);
                      window.addEventListener = (type, listener, options) => {
                        if (type === 'online') window.onlineWaits++;
                        return add(type, listener, options);
                      };
                    }
                    """);
                await run.Page.Locator("#file").SetInputFilesAsync(upload);
                return run;
            }
            catch
            {
                await run.DisposeAsync();
                throw;
            }
        }

        public async Task WaitUntilSettledAsync(string screenshot)
        {
            try
            {
                await Page.WaitForFunctionAsync(Settled, null, new PageWaitForFunctionOptions { Timeout = UploadMilliseconds });
            }
            catch (TimeoutException)
            {
                await HeadlessChromium.SaveScreenshotAsync(Page, screenshot);
                Assert.Fail($"The page did not finish within {UploadMilliseconds / 1000} s.\n{await ContextAsync()}\nserver:\n{Example.Output}");
            }
        }

        public async Task<string> ContextAsync()
            => $"states (bar value, state text):\n  {string.Join("\n  ", await StatesAsync(Page))}\n{Log}";

        /// <summary>Both digests are the file's, and the progress bar never went backwards.</summary>
        public async Task AssertDigestsAsync(string context)
        {
            Assert.That(await Page.Locator("#sha256").TextContentAsync(), Is.EqualTo(Expected), "server's digest; " + context);
            Assert.That(await Page.Locator("#localsha256").TextContentAsync(), Is.EqualTo(Expected), "page's digest; " + context);
            List<double> bar = [.. (await StatesAsync(Page)).Select(line => double.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture))];
            Assert.That(bar, Is.Ordered, "the progress bar went backwards; " + context);
        }

        /// <summary>The stored final response, read over plain HTTP; uploads are bound to the browser's owner cookie.</summary>
        public async Task AssertStoredResultAsync(CancellationToken cancellationToken)
        {
            Uri result = new(Example.BaseUri, await Page.Locator("#location").TextContentAsync() + "/result");
            using var client = new HttpClient();
            using (HttpResponseMessage stranger = await client.GetAsync(result, cancellationToken))
            {
                Assert.That(stranger.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "without the page's cookie the upload is someone else's");
            }

            BrowserContextCookiesResult owner = (await Browser.CookiesAsync([Example.BaseUri.ToString()])).Single(c => c.Name == "upload-owner");
            using var request = new HttpRequestMessage(HttpMethod.Get, result);
            request.Headers.Add("Cookie", $"{owner.Name}={owner.Value}");
            using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            using JsonDocument stored = JsonDocument.Parse(body);
            Assert.That(stored.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Expected), body);
            Assert.That(stored.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(new FileInfo(_temp.File("upload.bin")).Length), body);
        }

        public async ValueTask DisposeAsync()
        {
            TestContext.Out.WriteLine($"{Log}\nwhole test: {_elapsed.ElapsedMilliseconds} ms");
            if (Browser is not null)
            {
                await Browser.CloseAsync();
            }

            _playwright?.Dispose();
            if (Proxy is not null)
            {
                await Proxy.DisposeAsync();
            }

            _example?.Dispose();
            _temp.Dispose();
        }
    }

    /// <summary>The page's requests to /files, with times, statuses, offsets and failures, for assertions and messages.</summary>
    private sealed class NetworkLog
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<(string Method, string Path, long? Offset)> _requests = new();

        /// <summary>
        /// Failed requests, except the creation: the page never reads the 201's empty body, so Chromium reports that
        /// request as net::ERR_ABORTED once the response is dropped, though it succeeded.
        /// </summary>
        public ConcurrentQueue<string> Failures { get; } = new();

        /// <summary>The Upload-Offset of every PATCH the page sent, in order.</summary>
        public List<long> PatchOffsets => [.. _requests.Where(r => r.Method == "PATCH" && r.Offset is not null).Select(r => r.Offset!.Value)];

        public void Watch(IPage page)
        {
            page.Request += (_, request) =>
            {
                if (PathOf(request) is { } path)
                {
                    long? offset = request.Headers.TryGetValue("upload-offset", out string? value) ? long.Parse(value, CultureInfo.InvariantCulture) : null;
                    _requests.Enqueue((request.Method, path, offset));
                    Add($"→ {request.Method} {path}{(offset is null ? "" : $" offset {offset}")}");
                }
            };
            page.Response += (_, response) =>
            {
                if (PathOf(response.Request) is { } path)
                {
                    string offset = response.Headers.TryGetValue("upload-offset", out string? value) ? $" offset {value}" : "";
                    Add($"← {response.Status} {response.Request.Method} {path}{offset}");
                }
            };
            page.RequestFailed += (_, request) =>
            {
                if (PathOf(request) is { } path)
                {
                    if (request.Method != "POST")
                    {
                        Failures.Enqueue($"{request.Method} {path}: {request.Failure}");
                    }

                    Add($"✗ {request.Method} {path}: {request.Failure}");
                }
            };
            page.Console += (_, message) => Add($"console {message.Type}: {message.Text}");
            page.PageError += (_, error) => Add($"page error: {error}");
        }

        public void Mark(string what) => Add($"-- {what}");

        /// <summary>Requests with <paramref name="method"/> to exactly <paramref name="path"/>.</summary>
        public int Count(string method, string path) => _requests.Count(r => r.Method == method && r.Path == path);

        public override string ToString() => "network:\n" + string.Join("\n", _lines);

        private void Add(string line) => _lines.Enqueue($"  {_clock.ElapsedMilliseconds,6} ms {line}");

        private static string? PathOf(IRequest request)
        {
            string path = new Uri(request.Url).AbsolutePath;
            return path.StartsWith("/files", StringComparison.Ordinal) ? path : null;
        }
    }

    /// <summary>
    /// A loopback TCP proxy to the example that, once <c>cutAfter</c> bytes have gone from the browser to the server,
    /// resets every connection open at that moment (once): a network failure in the middle of a request body, which
    /// Chromium's offline emulation does not produce. Later connections pass through untouched.
    /// </summary>
    private sealed class CuttingProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly ConcurrentDictionary<Socket, bool> _open = new();
        private readonly int _serverPort;
        private readonly long _cutAfter;
        private readonly Task _accepting;
        private long _upstream;
        private int _cut;

        public CuttingProxy(int serverPort, long cutAfter)
        {
            _serverPort = serverPort;
            _cutAfter = cutAfter;
            _listener.Start();
            _accepting = AcceptAsync();
        }

        public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public bool Cut => Volatile.Read(ref _cut) == 1;

        public string Debug { get; set; } = "";

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            Reset(linger: false); // the relays end on their own once their sockets are gone
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    Socket client = await _listener.AcceptSocketAsync(_stop.Token);
                    _ = RelayAsync(client, new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task RelayAsync(Socket client, Socket server)
        {
            _open[client] = _open[server] = true;
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _serverPort), _stop.Token);
                await Task.WhenAll(PumpAsync(client, server, upstream: true), PumpAsync(server, client, upstream: false));
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The cut, or the end of the test.
            }
            finally
            {
                _open.TryRemove(client, out _);
                _open.TryRemove(server, out _);
                client.Dispose();
                server.Dispose();
            }
        }

        private async Task PumpAsync(Socket from, Socket to, bool upstream)
        {
            byte[] buffer = new byte[64 * 1024];
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0)
            {
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                if (upstream && Interlocked.Add(ref _upstream, read) >= _cutAfter && Interlocked.Exchange(ref _cut, 1) == 0)
                {
                    // A reset, not a FIN, on both sides: to the browser and the server alike the connection just broke.
                    Debug = $"cut at {Volatile.Read(ref _upstream)} with {_open.Count} sockets open; ";
                    Reset(linger: true);
                }
            }

            to.Shutdown(SocketShutdown.Send);
        }

        private void Reset(bool linger)
        {
            foreach (Socket socket in _open.Keys)
            {
                try
                {
                    if (linger)
                    {
                        socket.LingerState = new LingerOption(true, 0);
                    }

                    socket.Close();
                }
                catch (ObjectDisposedException)
                {
                    // Closed by its own relay meanwhile.
                }
                catch (Exception e)
                {
                    Debug += e.GetType().Name + " " + e.Message + "; ";
                }
            }
        }
    }
}
