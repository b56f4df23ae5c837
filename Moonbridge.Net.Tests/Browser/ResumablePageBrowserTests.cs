using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Playwright;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Browser;

/// <summary>
/// The example's resumable-upload page (examples/Example/wwwroot/resumable.html) in a real headless Chromium
/// (<see cref="HeadlessChromium"/>): plain fetch against the IETF resumable-upload face on /files, once straight
/// through and once cut off by the browser going offline in the middle.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ResumablePageBrowserTests
{
    private const int TestMilliseconds = 120_000;
    private const float UploadMilliseconds = 60_000;

    // Not multiples of the page's 4 MiB appends, so the last append is a short one.
    private const long SmallLength = (12L * 1024 * 1024) + 12_345;
    private const long LargeLength = (40L * 1024 * 1024) + 777;

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
        HeadlessChromium.IgnoreWhenMissing();
        using var temp = new TempDirectory();
        string upload = temp.File("small.bin");
        string expected = await WriteRandomFileAsync(upload, SmallLength, 20260201, cancellationToken);

        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken, "--upload-dir", Directory.CreateDirectory(temp.File("uploads")).FullName);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await HeadlessChromium.LaunchAsync(playwright, Directory.CreateDirectory(temp.File("profile")).FullName);
        var log = new NetworkLog();
        try
        {
            IPage page = await OpenPageAsync(browser, example, log);
            await page.Locator("#file").SetInputFilesAsync(upload);
            var uploadTime = Stopwatch.StartNew();
            await page.Locator("#start").ClickAsync();
            await WaitUntilSettledAsync(page, log, example, "resumable-small-timeout");
            TestContext.Out.WriteLine($"upload of {SmallLength} bytes: {uploadTime.ElapsedMilliseconds} ms\n{log}");

            string context = $"{await StatesAsync(page)}\n{log}";
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await page.Locator("#sha256").TextContentAsync(), Is.EqualTo(expected), context);
                Assert.That(await page.Locator("#localsha256").TextContentAsync(), Is.EqualTo(expected), context);
                Assert.That(await page.Locator("#state").TextContentAsync(), Is.EqualTo($"Done: {SmallLength} bytes stored."), context);
                Assert.That(await page.Locator("#percent").TextContentAsync(), Is.EqualTo("100.0 %"), context);
                Assert.That(await page.EvaluateAsync<double>("() => document.getElementById('bar').value"), Is.EqualTo((double)SmallLength), context);
                Assert.That(await page.Locator("#start").IsEnabledAsync(), Is.True, "the button after the upload");
                // One creation, then ceil(size / 4 MiB) appends: nothing failed, so nothing was sent twice.
                Assert.That(log.Count("POST", "/files"), Is.EqualTo(1), context);
                Assert.That(log.Count("PATCH", "/files/"), Is.EqualTo(4), context);
                Assert.That(log.Failures, Is.Empty, context);
            }
        }
        finally
        {
            await browser.CloseAsync();
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUploadCutOffByGoingOfflineResumesWhereTheServerStopped(CancellationToken cancellationToken)
    {
        HeadlessChromium.IgnoreWhenMissing();
        var elapsed = Stopwatch.StartNew();
        using var temp = new TempDirectory();
        string upload = temp.File("large.bin");
        string expected = await WriteRandomFileAsync(upload, LargeLength, 20260202, cancellationToken);

        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken, "--upload-dir", Directory.CreateDirectory(temp.File("uploads")).FullName);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await HeadlessChromium.LaunchAsync(playwright, Directory.CreateDirectory(temp.File("profile")).FullName);
        var log = new NetworkLog();
        try
        {
            IPage page = await OpenPageAsync(browser, example, log);
            await page.Locator("#file").SetInputFilesAsync(upload);
            ICDPSession cdp = await browser.NewCDPSessionAsync(page);
            if (Environment.GetEnvironmentVariable("RT_THROTTLE") is { } bps)
            {
                await cdp.SendAsync("Network.enable");
                await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object> { ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = double.Parse(bps, System.Globalization.CultureInfo.InvariantCulture) });
            }

            if (Environment.GetEnvironmentVariable("RT_PROBE") is not null)
            {
                log.Mark(await page.EvaluateAsync<string>("async () => { const r = await fetch('/files', { method: 'POST', headers: { 'Upload-Draft-Interop-Version': '9', 'Upload-Complete': '?0', 'Upload-Length': '5' } }); await r.arrayBuffer(); return 'probe read ' + r.status; }"));
                log.Mark(await page.EvaluateAsync<string>("async () => { const r = await fetch('/files', { method: 'POST', headers: { 'Upload-Draft-Interop-Version': '9', 'Upload-Complete': '?0', 'Upload-Length': '5' } }); return 'probe unread ' + r.status; }"));
                await page.WaitForTimeoutAsync(500);
            }

            await page.Locator("#start").ClickAsync();

            // The first append has been answered: the upload is under way, with more appends to come.
            await page.WaitForFunctionAsync("() => document.getElementById('bar').value > 0");
            if (Environment.GetEnvironmentVariable("RT_DELAY") is { } delay)
            {
                await page.WaitForTimeoutAsync(int.Parse(delay, System.Globalization.CultureInfo.InvariantCulture));
            }

            log.Mark("offline");
            if (Environment.GetEnvironmentVariable("RT_CDPOFFLINE") is not null)
            {
                await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object> { ["offline"] = true, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = -1 });
            }
            else
            {
                await browser.SetOfflineAsync(true);
            }

            log.Mark("offline set " + await page.EvaluateAsync<bool>("() => navigator.onLine"));
            await page.WaitForFunctionAsync("() => document.getElementById('state').textContent.startsWith('Connection lost')");
            log.Mark("online");
            if (Environment.GetEnvironmentVariable("RT_CDPOFFLINE") is not null)
            {
                await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object> { ["offline"] = false, ["latency"] = 0, ["downloadThroughput"] = -1, ["uploadThroughput"] = -1 });
            }
            else
            {
                await browser.SetOfflineAsync(false);
            }
            await WaitUntilSettledAsync(page, log, example, "resumable-offline-timeout");
            log.Mark("settled");

            string states = await StatesAsync(page);
            TestContext.Out.WriteLine($"{states}\n{log}");
            string context = $"{states}\n{log}";
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await page.Locator("#sha256").TextContentAsync(), Is.EqualTo(expected), context);
                Assert.That(await page.Locator("#localsha256").TextContentAsync(), Is.EqualTo(expected), context);
                Assert.That(await page.Locator("#state").TextContentAsync(), Is.EqualTo($"Done: {LargeLength} bytes stored."), context);
                Assert.That(log.Count("POST", "/files"), Is.EqualTo(1), "the upload resumed rather than starting again; " + context);
            }

            string location = await page.Locator("#location").TextContentAsync() ?? "";
            JsonElement stored = await ResultOverHttpAsync(browser, example, location, cancellationToken);
            Assert.That(stored.GetProperty("sha256").GetString(), Is.EqualTo(expected), location);
            Assert.That(stored.GetProperty("bytes").GetInt64(), Is.EqualTo(LargeLength), location);
        }
        finally
        {
            TestContext.Out.WriteLine(log.ToString());
            await browser.CloseAsync();
            TestContext.Out.WriteLine($"whole test: {elapsed.ElapsedMilliseconds} ms");
        }
    }

    /// <summary>The page, loaded, with its requests and its state lines recorded.</summary>
    private static async Task<IPage> OpenPageAsync(IBrowserContext browser, ExampleServerProcess example, NetworkLog log)
    {
        IPage page = await HeadlessChromium.PageAsync(browser);
        log.Watch(page);
        IResponse? response = await page.GotoAsync(new Uri(example.BaseUri, "/resumable.html").ToString());
        Assert.That(response?.Status, Is.EqualTo(200), "resumable.html");

        // Every text the state line and the bar show, in order, as the page changes them.
        await page.EvaluateAsync("""
            () => {
              window.states = [];
              const state = document.getElementById('state'), bar = document.getElementById('bar');
              const note = () => window.states.push(bar.value + ' ' + state.textContent);
              new MutationObserver(note).observe(state, { subtree: true, childList: true, characterData: true });
              new MutationObserver(note).observe(bar, { attributes: true });
            }
            """);
        return page;
    }

    private static async Task WaitUntilSettledAsync(IPage page, NetworkLog log, ExampleServerProcess example, string screenshot)
    {
        try
        {
            await page.WaitForFunctionAsync(Settled, null, new PageWaitForFunctionOptions { Timeout = UploadMilliseconds });
        }
        catch (TimeoutException)
        {
            await HeadlessChromium.SaveScreenshotAsync(page, screenshot);
            Assert.Fail($"The page did not finish within {UploadMilliseconds / 1000} s.\n{await StatesAsync(page)}\n{log}\nserver:\n{example.Output}");
        }
    }

    private static async Task<string> StatesAsync(IPage page)
    {
        var lines = new List<string>();
        foreach (JsonElement line in (await page.EvaluateAsync<JsonElement>("() => window.states")).EnumerateArray())
        {
            lines.Add("  " + line.GetString());
        }

        return "states (bar value, state text):\n" + string.Join("\n", lines);
    }

    /// <summary>The stored final response, read as the page's owner: uploads are bound to the browser's cookie.</summary>
    private static async Task<JsonElement> ResultOverHttpAsync(IBrowserContext browser, ExampleServerProcess example, string location, CancellationToken cancellationToken)
    {
        Uri result = new(example.BaseUri, location + "/result");
        using var client = new HttpClient();
        using (HttpResponseMessage stranger = await client.GetAsync(result, cancellationToken))
        {
            Assert.That(stranger.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "without the page's cookie the upload is someone else's");
        }

        BrowserContextCookiesResult owner = (await browser.CookiesAsync([example.BaseUri.ToString()])).Single(c => c.Name == "upload-owner");
        using var request = new HttpRequestMessage(HttpMethod.Get, result);
        request.Headers.Add("Cookie", $"{owner.Name}={owner.Value}");
        using HttpResponseMessage response = await client.SendAsync(request, cancellationToken);
        string body = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

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

    /// <summary>The page's requests to /files, with times, statuses, offsets and failures, for assertions and failure messages.</summary>
    private sealed class NetworkLog
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentQueue<string> _lines = new();
        private readonly ConcurrentQueue<(string Method, string Path)> _requests = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public void Watch(IPage page)
        {
            page.Request += (_, request) =>
            {
                if (PathOf(request) is { } path)
                {
                    _requests.Enqueue((request.Method, path));
                    Add($"→ {request.Method} {path}" + (request.Headers.TryGetValue("upload-offset", out string? offset) ? $" offset {offset}" : ""));
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
                    Failures.Enqueue($"{request.Method} {path}: {request.Failure}");
                    Add($"✗ {request.Method} {path}: {request.Failure}");
                }
            };
            page.Console += (_, message) => Add($"console {message.Type}: {message.Text}");
            page.PageError += (_, error) => Add($"page error: {error}");
        }

        public void Mark(string what) => Add($"-- {what}");

        public int Count(string method, string pathPrefix)
            => _requests.Count(r => r.Method == method && (pathPrefix.EndsWith('/') ? r.Path.StartsWith(pathPrefix, StringComparison.Ordinal) : r.Path == pathPrefix));

        public override string ToString() => "network:\n" + string.Join("\n", _lines);

        private void Add(string line) => _lines.Enqueue($"  {_clock.ElapsedMilliseconds,6} ms {line}");

        private static string? PathOf(IRequest request)
        {
            string path = new Uri(request.Url).AbsolutePath;
            return path.StartsWith("/files", StringComparison.Ordinal) ? path : null;
        }
    }
}
