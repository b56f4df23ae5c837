using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Browser;

/// <summary>
/// The example's progress page (examples/Example/wwwroot/progress.html) in a real headless Chromium
/// (<see cref="HeadlessChromium"/>). The browser
/// uploads a generated file of several MiB to the example application and polls its progress.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ProgressPageBrowserTests
{
    /// <summary>Large enough that 100 ms polls see the upload half way even over loopback.</summary>
    private const long UploadLength = 128L * 1024 * 1024;

    private const int TestMilliseconds = 180_000;
    private const float StepMilliseconds = HeadlessChromium.StepMilliseconds;
    private const float UploadMilliseconds = 90_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheProgressPageShowsARealUploadFromStartToDone(CancellationToken cancellationToken)
    {
        HeadlessChromium.IgnoreWhenMissing();
        var elapsed = Stopwatch.StartNew();
        using var temp = new TempDirectory();
        string upload = temp.File("upload.bin");
        string userData = Directory.CreateDirectory(temp.File("profile")).FullName;
        await WriteUploadFileAsync(upload, UploadLength, cancellationToken);

        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await HeadlessChromium.LaunchAsync(playwright, userData);
        try
        {
            IPage page = await HeadlessChromium.PageAsync(browser);
            var consoleLines = new List<string>();
            page.Console += (_, message) => consoleLines.Add($"{message.Type}: {message.Text}");
            page.PageError += (_, error) => consoleLines.Add($"page error: {error}");

            IResponse? response = await page.GotoAsync(new Uri(example.BaseUri, "/progress.html").ToString());
            Assert.That(response?.Status, Is.EqualTo(200), "progress.html");

            await page.Locator("#file").SetInputFilesAsync(upload);
            var uploadTime = Stopwatch.StartNew();
            await page.Locator("#start").ClickAsync();
            bool disabledWhileUploading = await page.Locator("#start").IsDisabledAsync();
            try
            {
                await page.WaitForFunctionAsync("() => document.body.dataset.finished !== undefined", null,
                    new PageWaitForFunctionOptions { Timeout = UploadMilliseconds, PollingInterval = 50 });
            }
            catch (TimeoutException)
            {
                await HeadlessChromium.SaveScreenshotAsync(page, "progress-timeout");
                Assert.Fail($"The page did not finish within {UploadMilliseconds / 1000} s; history: {await HistoryTextAsync(page)}\nconsole:\n{string.Join("\n", consoleLines)}\nserver:\n{example.Output}");
            }

            uploadTime.Stop();
            string finished = await page.EvaluateAsync<string>("() => document.body.dataset.finished");
            List<ProgressPoint> history = await HistoryAsync(page);
            await HeadlessChromium.SaveScreenshotAsync(page, "progress-finished");

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
                Assert.That(disabledWhileUploading, Is.True, "the button while uploading");
                Assert.That(await page.Locator("#start").IsEnabledAsync(), Is.True, "the button after the upload");
                Assert.That(await page.Locator("#percent").TextContentAsync(), Is.EqualTo("100 %"));
                Assert.That(await page.Locator("#mib").TextContentAsync(), Is.EqualTo(FormattableString.Invariant($"{UploadLength / (1024.0 * 1024):F1} of {UploadLength / (1024.0 * 1024):F1} MiB")));
                Assert.That(await page.Locator("#rate").TextContentAsync(), Does.Match(@"^\d+\.\d MB/s$"));
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
    public async Task AFailedUploadFinishesThePageWithError(CancellationToken cancellationToken)
    {
        HeadlessChromium.IgnoreWhenMissing();
        using var temp = new TempDirectory();
        string upload = temp.File("upload.bin");
        string userData = Directory.CreateDirectory(temp.File("profile")).FullName;
        await WriteUploadFileAsync(upload, 1024 * 1024, cancellationToken);

        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await HeadlessChromium.LaunchAsync(playwright, userData);
        try
        {
            IPage page = await HeadlessChromium.PageAsync(browser);
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
