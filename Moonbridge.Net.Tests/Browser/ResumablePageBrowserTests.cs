using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
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
public sealed class ResumablePageBrowserTests
{
    private const int TestMilliseconds = 120_000;
    private const float UploadMilliseconds = 60_000;
    private const long Chunk = 4L * 1024 * 1024; // the page's largest append

    // Not multiples of the page's appends, so the last append is a short one.
    private const long SmallLength = (3 * Chunk) + 12_345;
    private const long LargeLength = (10 * Chunk) + 777;

    // Ends the wait on success (both digests shown) or on the page giving up ("Failed: …"), whichever comes first.
    private const string Settled = "() => ['sha256', 'localsha256'].every(id => /^[0-9a-f]{64}$/.test(document.getElementById(id).textContent))"
        + " || document.getElementById('state').textContent.startsWith('Failed')";

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
        await run.Page.Locator("#start").ClickAsync();

        // The first append has been answered: the upload is under way, with nine more appends to come.
        await run.Page.WaitForFunctionAsync("() => document.getElementById('bar').value > 0");
        run.Log.Mark("offline");
        await run.Browser.SetOfflineAsync(true);

        // Chromium's offline emulation lets an append already in flight finish and fails the next request, which
        // the page reports; the upload must not have finished before that (it had nine appends to go).
        await run.Page.WaitForFunctionAsync($"() => document.getElementById('state').textContent.startsWith('Connection lost') || ({Settled})()");
        Assert.That(await run.Page.Locator("#state").TextContentAsync(), Does.StartWith("Connection lost"), await run.ContextAsync());

        // Then the page waits for the "online" event instead of retrying into the void.
        await run.Page.WaitForFunctionAsync("() => window.onlineWaits > 0");
        run.Log.Mark("online");
        await run.Browser.SetOfflineAsync(false);
        await run.WaitUntilSettledAsync("resumable-offline-timeout");

        string context = await run.ContextAsync();
        using (Assert.EnterMultipleScope())
        {
            await run.AssertDigestsAsync(context);
            Assert.That(await run.Page.Locator("#state").TextContentAsync(), Is.EqualTo($"Done: {LargeLength} bytes stored."), context);
            Assert.That(run.Log.Count("POST", "/files"), Is.EqualTo(1), "the upload resumed rather than starting again; " + context);
            Assert.That(run.Log.PatchOffsets, Is.Ordered, "no append went back to an earlier offset; " + context);
            // One failed request revealed the lost connection; after that the page waited rather than retried.
            Assert.That(run.Log.Failures, Has.Count.EqualTo(1).And.Some.Contains("ERR_INTERNET_DISCONNECTED"), context);
        }

        await run.AssertStoredResultAsync(cancellationToken);
    }

    /// <summary>
    /// Going offline never cuts an append in the middle (see above), so a proxy cuts the connection 6 MiB into the upload,
    /// half way through the second append. The server keeps what arrived; the page learns where that ends from a 409 (when
    /// Chromium resends the PATCH by itself, as on a reused connection) or from HEAD, and must go on from that offset.
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
            Assert.That(run.Proxy!.Cut, Is.True, context);
            await run.AssertDigestsAsync(context);
            Assert.That(run.Log.Count("POST", "/files"), Is.EqualTo(1), "the upload resumed rather than starting again; " + context);
            Assert.That(run.Log.PatchOffsets, Has.Some.InRange(Chunk + 1, (2 * Chunk) - 1), "no append from the server's partial offset; " + context);
            Assert.That(run.Log.PatchOffsets, Is.Ordered, "no append went back to an earlier offset; " + context);
        }

        await run.AssertStoredResultAsync(cancellationToken);
    }

    /// <summary>The (bar value, state text) pairs the page showed, as the observers <see cref="Run"/> installs recorded them.</summary>
    private static async Task<List<string>> StatesAsync(IPage page)
        => [.. (await page.EvaluateAsync<JsonElement>("() => window.states")).EnumerateArray().Select(line => line.GetString() ?? "")];

    /// <summary>Writes <paramref name="length"/> bytes that do not compress, from a fixed seed; returns their SHA-256 in hex.</summary>
    private static async Task<string> WriteRandomFileAsync(string path, long length, int seed, CancellationToken cancellationToken)
    {
        byte[] content = new byte[length];
        new Random(seed).NextBytes(content);
        await File.WriteAllBytesAsync(path, content, cancellationToken);
        return Convert.ToHexStringLower(SHA256.HashData(content));
    }

    /// <summary>One test's world: a generated file, the example with its own upload directory, maybe a cutting proxy in front of
    /// it, and Chromium on resumable.html with the file chosen. Disposing ends them in reverse order.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly Stopwatch _elapsed = Stopwatch.StartNew();
        private readonly TempDirectory _temp = new();
        private ExampleServerProcess? _example;
        private IPlaywright? _playwright;
        private string _expected = "";

        public NetworkLog Log { get; } = new();

        public CuttingProxy? Proxy { get; private set; }

        public IBrowserContext Browser { get; private set; } = null!;

        public IPage Page { get; private set; } = null!;

        public static async Task<Run> StartAsync(long length, int seed, long? proxyCutAfter, CancellationToken cancellationToken)
        {
            HeadlessChromium.IgnoreWhenMissing();
            var run = new Run();
            try
            {
                string upload = run._temp.File("upload.bin");
                run._expected = await WriteRandomFileAsync(upload, length, seed, cancellationToken);
                run._example = await ExampleServerProcess.StartAsync(cancellationToken, "--upload-dir", Directory.CreateDirectory(run._temp.File("uploads")).FullName);
                run.Proxy = proxyCutAfter is { } cut ? new CuttingProxy(run._example.Port, cut).Start() : null;
                run._playwright = await Playwright.CreateAsync();
                run.Browser = await HeadlessChromium.LaunchAsync(run._playwright, Directory.CreateDirectory(run._temp.File("profile")).FullName);
                run.Page = await HeadlessChromium.PageAsync(run.Browser);
                run.Log.Watch(run.Page);
                IResponse? response = await run.Page.GotoAsync(new Uri(run.Proxy?.BaseUri ?? run._example.BaseUri, "/resumable.html").ToString());
                Assert.That(response?.Status, Is.EqualTo(200), "resumable.html");

                // Every (bar value, state text) pair, in order, as the page changes them; and a count of the page's waits
                // for the "online" event (its only use of window.addEventListener), the signal that it stopped retrying.
                await run.Page.EvaluateAsync("""
                    () => {
                      window.states = [], window.onlineWaits = 0;
                      const state = document.getElementById('state'), bar = document.getElementById('bar'), add = window.addEventListener.bind(window);
                      const note = () => window.states.push(bar.value + ' ' + state.textContent);
                      new MutationObserver(note).observe(state, { subtree: true, childList: true, characterData: true });
                      new MutationObserver(note).observe(bar, { attributes: true });
                      window.addEventListener = (type, ...rest) => { window.onlineWaits += type === 'online' ? 1 : 0; return add(type, ...rest); };
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
                Assert.Fail($"The page did not finish within {UploadMilliseconds / 1000} s.\n{await ContextAsync()}\nserver:\n{_example!.Output}");
            }
        }

        public async Task<string> ContextAsync() => $"states (bar value, state text):\n  {string.Join("\n  ", await StatesAsync(Page))}\n{Log}";

        /// <summary>Both digests are the file's, and the progress bar never went backwards.</summary>
        public async Task AssertDigestsAsync(string context)
        {
            Assert.That(await Page.Locator("#sha256").TextContentAsync(), Is.EqualTo(_expected), "server's digest; " + context);
            Assert.That(await Page.Locator("#localsha256").TextContentAsync(), Is.EqualTo(_expected), "page's digest; " + context);
            List<double> bar = [.. (await StatesAsync(Page)).Select(line => double.Parse(line.Split(' ')[0], CultureInfo.InvariantCulture))];
            Assert.That(bar, Is.Ordered, "the progress bar went backwards; " + context);
        }

        /// <summary>The stored final response, read over plain HTTP; uploads are bound to the browser's owner cookie.</summary>
        public async Task AssertStoredResultAsync(CancellationToken cancellationToken)
        {
            Uri result = new(_example!.BaseUri, await Page.Locator("#location").TextContentAsync() + "/result");
            using var client = new HttpClient();
            BrowserContextCookiesResult owner = (await Browser.CookiesAsync([_example.BaseUri.ToString()])).Single(c => c.Name == "upload-owner");
            using var request = new HttpRequestMessage(HttpMethod.Get, result);
            request.Headers.Add("Cookie", $"{owner.Name}={owner.Value}");
            using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
            string body = await response.Content.ReadAsStringAsync(cancellationToken);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(body, Is.EqualTo($"{{\"bytes\":{new FileInfo(_temp.File("upload.bin")).Length},\"sha256\":\"{_expected}\"}}\n"), "the stored result");
        }

        public async ValueTask DisposeAsync()
        {
            TestContext.Out.WriteLine($"{Log}\nwhole test: {_elapsed.ElapsedMilliseconds} ms");
            await (Browser?.CloseAsync() ?? Task.CompletedTask);
            _playwright?.Dispose();
            await (Proxy?.DisposeAsync() ?? ValueTask.CompletedTask);
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

        /// <summary>Failed requests, but not the creation's net::ERR_ABORTED: the page never reads the 201's empty body, so Chromium drops it.</summary>
        public ConcurrentQueue<string> Failures { get; } = new();

        /// <summary>The Upload-Offset of every PATCH the page sent, in order.</summary>
        public List<long> PatchOffsets => [.. _requests.Where(r => r.Method == "PATCH").Select(r => r.Offset ?? -1)];

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
                    Add($"← {response.Status} {response.Request.Method} {path} offset {response.Headers.GetValueOrDefault("upload-offset", "-")}");
                }
            };
            page.RequestFailed += (_, request) =>
            {
                if (PathOf(request) is { } path)
                {
                    Add($"✗ {request.Method} {path}: {request.Failure}");
                    if (request.Method != "POST" || request.Failure != "net::ERR_ABORTED")
                    {
                        Failures.Enqueue($"{request.Method} {path}: {request.Failure}");
                    }
                }
            };
        }

        public void Mark(string what) => Add($"-- {what}");

        public int Count(string method, string path) => _requests.Count(r => r.Method == method && r.Path == path);

        public override string ToString() => "network:\n" + string.Join("\n", _lines);

        private void Add(string line) => _lines.Enqueue($"  {_clock.ElapsedMilliseconds,6} ms {line}");

        private static string? PathOf(IRequest request)
            => new Uri(request.Url).AbsolutePath is var path && path.StartsWith("/files", StringComparison.Ordinal) ? path : null;
    }

    /// <summary>
    /// A loopback TCP proxy to the example that cuts the connection on which the browser's bytes, counted over all
    /// connections, pass <c>cutAfter</c>: the server gets what was forwarded, then the end of the stream, and once it has
    /// closed its side the browser gets a reset, so what the server stored is settled before the browser can resend.
    /// </summary>
    private sealed class CuttingProxy(int serverPort, long cutAfter) : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private long _upstream;
        private int _cut;

        public Uri BaseUri => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");

        public bool Cut => Volatile.Read(ref _cut) == 1;

        public CuttingProxy Start()
        {
            _listener.Start();
            _ = AcceptAsync();
            return this;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync(); // ends the accepting and every relay
            _listener.Stop();
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    _ = RelayAsync(await _listener.AcceptSocketAsync(_stop.Token));
                }
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // Stopped.
            }
        }

        private async Task RelayAsync(Socket client)
        {
            using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            bool cut = false;
            try
            {
                await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, serverPort), _stop.Token);
                Task down = PumpAsync(server, client, () => cut);
                cut = await PumpAsync(client, server, cut: null);
                if (cut)
                {
                    server.Shutdown(SocketShutdown.Send); // after what was forwarded, the end of the stream
                }

                await down.WaitAsync(TimeSpan.FromSeconds(10), _stop.Token); // until the server has closed its side
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException or TimeoutException)
            {
                // The browser or the server went away, or the test ended.
            }
            finally
            {
                if (cut)
                {
                    client.LingerState = new LingerOption(true, 0); // a reset: to the browser the connection just broke
                }

                client.Dispose();
            }
        }

        /// <summary>Copies until <paramref name="from"/> closes. Upstream (no <paramref name="cut"/>) it counts the browser's
        /// bytes and stops, true, on the connection to cut; downstream it drops the server's bytes once that one is cut.</summary>
        private async Task<bool> PumpAsync(Socket from, Socket to, Func<bool>? cut)
        {
            byte[] buffer = new byte[64 * 1024];
            for (int read; (read = await from.ReceiveAsync(buffer, SocketFlags.None, _stop.Token)) > 0;)
            {
                if (cut?.Invoke() != true)
                {
                    await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None, _stop.Token);
                }

                if (cut is null && Interlocked.Add(ref _upstream, read) >= cutAfter && Interlocked.Exchange(ref _cut, 1) == 0)
                {
                    return true;
                }
            }

            if (cut?.Invoke() != true)
            {
                to.Shutdown(SocketShutdown.Send);
            }

            return false;
        }
    }
}
