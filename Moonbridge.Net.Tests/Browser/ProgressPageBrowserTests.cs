using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Browser;

/// <summary>
/// The example's progress page (examples/Example/wwwroot/progress.html) in a real headless Chromium:
/// the Debian <c>chromium</c> package driven by Playwright, never a downloaded browser. The browser
/// uploads a generated file of several MiB to the example application and polls its progress.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProgressPageBrowserTests
{
    /// <summary>The Debian package's launcher; .ci/run installs it when it is missing.</summary>
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Large enough that 100 ms polls see the upload half way even over loopback.</summary>
    private const long UploadLength = 128L * 1024 * 1024;

    private const int TestMilliseconds = 180_000;
    private const float StepMilliseconds = 30_000;
    private const float UploadMilliseconds = 90_000;

    private static readonly string[] s_chromiumArguments =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ];

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task The_progress_page_shows_a_real_upload_from_start_to_done(CancellationToken cancellationToken)
    {
        IgnoreWithoutChromium();
        var elapsed = Stopwatch.StartNew();
        using var temp = new TempDirectory();
        string upload = temp.File("upload.bin");
        string userData = Directory.CreateDirectory(temp.File("profile")).FullName;
        await WriteUploadFileAsync(upload, UploadLength, cancellationToken);

        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await LaunchAsync(playwright, userData);
        try
        {
            IPage page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            var consoleLines = new List<string>();
            page.Console += (_, message) => consoleLines.Add($"{message.Type}: {message.Text}");
            page.PageError += (_, error) => consoleLines.Add($"page error: {error}");

            IResponse? response = await page.GotoAsync(new Uri(example.BaseUri, "/progress.html").ToString());
            Assert.That(response?.Status, Is.EqualTo(200), "progress.html");

            await page.Locator("#file").SetInputFilesAsync(upload);
            var uploadTime = Stopwatch.StartNew();
            await page.Locator("#start").ClickAsync();
            try
            {
                await page.WaitForFunctionAsync("() => document.body.dataset.finished !== undefined", null,
                    new PageWaitForFunctionOptions { Timeout = UploadMilliseconds, PollingInterval = 50 });
            }
            catch (TimeoutException)
            {
                await SaveScreenshotAsync(page, "progress-timeout");
                Assert.Fail($"The page did not finish within {UploadMilliseconds / 1000} s; history: {await HistoryTextAsync(page)}\nconsole:\n{string.Join("\n", consoleLines)}\nserver:\n{example.Output}");
            }

            uploadTime.Stop();
            string finished = await page.EvaluateAsync<string>("() => document.body.dataset.finished");
            List<ProgressPoint> history = await HistoryAsync(page);
            await SaveScreenshotAsync(page, "progress-finished");

            TestContext.Out.WriteLine($"upload of {UploadLength} bytes took {uploadTime.ElapsedMilliseconds} ms; finished: {finished}; {history.Count} states polled");
            foreach (ProgressPoint point in Sample(history))
            {
                TestContext.Out.WriteLine($"  {point}");
            }

            List<ProgressPoint> intermediate = history.FindAll(p => p.State == "running" && p.Received > 0 && p.Received < p.Size);
            TestContext.Out.WriteLine($"intermediate values observed: {intermediate.Count}");

            string context = $"history: {string.Join(", ", history)}\nconsole:\n{string.Join("\n", consoleLines)}";
            Assert.That(finished, Is.EqualTo("done"), context);
            Assert.That(history, Is.Not.Empty, context);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(intermediate, Is.Not.Empty, "no running state with 0 < received < size; " + context);
                Assert.That(intermediate.TrueForAll(p => p.Size == UploadLength), Is.True, "the size of running states; " + context);
                for (int i = 1; i < history.Count; i++)
                {
                    Assert.That(history[i].Received, Is.GreaterThanOrEqualTo(history[i - 1].Received), $"received decreased at {i}; " + context);
                }

                Assert.That(history[^1], Is.EqualTo(new ProgressPoint("done", UploadLength, UploadLength)), context);
                Assert.That(await page.Locator("#state").TextContentAsync(), Is.EqualTo("done"));
                Assert.That(await page.Locator("#received").TextContentAsync(), Is.EqualTo(UploadLength.ToString(CultureInfo.InvariantCulture)));
                Assert.That(await page.EvaluateAsync<double>("() => document.getElementById('bar').value"), Is.EqualTo((double)UploadLength));
                Assert.That(await page.Locator("#log").TextContentAsync(), Does.Contain($"server counted {UploadLength}"));
            }
        }
        finally
        {
            await browser.CloseAsync();
            TestContext.Out.WriteLine($"whole test: {elapsed.ElapsedMilliseconds} ms");
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task A_failed_upload_finishes_the_page_with_error(CancellationToken cancellationToken)
    {
        IgnoreWithoutChromium();
        using var temp = new TempDirectory();
        string upload = temp.File("upload.bin");
        string userData = Directory.CreateDirectory(temp.File("profile")).FullName;
        await WriteUploadFileAsync(upload, 1024 * 1024, cancellationToken);

        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await LaunchAsync(playwright, userData);
        try
        {
            IPage page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            // The upload never reaches the server, as when the connection breaks before it is sent.
            await page.RouteAsync("**/upload?*", route => route.AbortAsync("connectionreset"));
            await page.GotoAsync(new Uri(example.BaseUri, "/progress.html").ToString());
            await page.Locator("#file").SetInputFilesAsync(upload);
            await page.Locator("#start").ClickAsync();
            await page.WaitForFunctionAsync("() => document.body.dataset.finished !== undefined", null,
                new PageWaitForFunctionOptions { Timeout = StepMilliseconds, PollingInterval = 50 });

            string finished = await page.EvaluateAsync<string>("() => document.body.dataset.finished");
            string log = await page.Locator("#log").TextContentAsync() ?? "";
            TestContext.Out.WriteLine($"finished: {finished}; log: {log}");
            Assert.That(finished, Is.EqualTo("error"));
            Assert.That(log, Does.Contain("upload failed"));
        }
        finally
        {
            await browser.CloseAsync();
        }
    }

    private static void IgnoreWithoutChromium()
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is not installed (Debian package 'chromium'; .ci/run installs it), so the browser test cannot run here.");
        }
    }

    /// <summary>Debian's chromium, headless, with a fresh profile in <paramref name="userData"/>; nothing is downloaded.</summary>
    private static async Task<IBrowserContext> LaunchAsync(IPlaywright playwright, string userData)
    {
        IBrowserContext browser = await playwright.Chromium.LaunchPersistentContextAsync(userData, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = s_chromiumArguments,
            Timeout = StepMilliseconds,
            ViewportSize = new ViewportSize { Width = 1000, Height = 600 },
        });
        browser.SetDefaultTimeout(StepMilliseconds);
        return browser;
    }

    /// <summary>One polled state as the page recorded it in <c>window.progressHistory</c>.</summary>
    private sealed record ProgressPoint(string State, long Received, long Size)
    {
        public override string ToString() => $"{State} {Received}/{Size}";
    }

    private static async Task<List<ProgressPoint>> HistoryAsync(IPage page)
    {
        JsonElement history = await page.EvaluateAsync<JsonElement>("() => window.progressHistory");
        var points = new List<ProgressPoint>();
        foreach (JsonElement entry in history.EnumerateArray())
        {
            points.Add(new ProgressPoint(
                entry.GetProperty("state").GetString() ?? "",
                (long)entry.GetProperty("received").GetDouble(),
                (long)entry.GetProperty("size").GetDouble()));
        }

        return points;
    }

    private static async Task<string> HistoryTextAsync(IPage page)
    {
        try
        {
            return string.Join(", ", await HistoryAsync(page));
        }
        catch (PlaywrightException e)
        {
            return $"(unreadable: {e.Message})";
        }
    }

    /// <summary>The first three, the last three and a few in between, for the test output.</summary>
    private static IEnumerable<ProgressPoint> Sample(List<ProgressPoint> history)
    {
        if (history.Count <= 12)
        {
            return history;
        }

        var indexes = new SortedSet<int> { 0, 1, 2, history.Count - 3, history.Count - 2, history.Count - 1 };
        for (int k = 1; k <= 5; k++)
        {
            indexes.Add(k * (history.Count - 1) / 6);
        }

        return indexes.Select(i => history[i]);
    }

    private static async Task SaveScreenshotAsync(IPage page, string name)
    {
        string directory = Directory.CreateDirectory(Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser")).FullName;
        string path = Path.Combine(directory, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
        TestContext.Out.WriteLine($"screenshot: {path}");
    }

    /// <summary>Writes <paramref name="length"/> bytes that do not compress, from a fixed seed.</summary>
    private static async Task WriteUploadFileAsync(string path, long length, CancellationToken cancellationToken)
    {
        var random = new Random(20260101);
        byte[] block = new byte[1024 * 1024];
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        for (long written = 0; written < length; written += block.Length)
        {
            random.NextBytes(block);
            await file.WriteAsync(block.AsMemory(0, (int)Math.Min(block.Length, length - written)), cancellationToken);
        }
    }
}
