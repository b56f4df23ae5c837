using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Browser;

/// <summary>
/// The example's pages (examples/Example/wwwroot) in a real headless Chromium (<see cref="HeadlessChromium"/>):
/// the links between them, the favicon, the progress page without a file, and the job page from start to done.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class ExamplePagesBrowserTests
{
    private const int TestMilliseconds = 120_000;

    // A link is followed once its document arrives; waiting for the load event as well adds nothing the
    // assertions need and, on a loaded machine, once took longer than Playwright's 30 s.
    private static readonly PageWaitForURLOptions s_committed = new() { WaitUntil = WaitUntilState.Commit };
    private static readonly PageWaitForURLOptions s_committedSoon = new() { WaitUntil = WaitUntilState.Commit, Timeout = 10_000 };

    /// <summary>
    /// Clicks the page's link to <paramref name="path"/> and waits until the browser went there. A click that a busy
    /// machine's browser lost (the page idle, its address unchanged after 10 s) is clicked once more: what is tested is
    /// that the link leads there, not that the first click lands.
    /// </summary>
    private static async Task FollowAsync(IPage page, string path)
    {
        ILocator link = page.Locator($"a[href='{path}']");
        await link.ClickAsync();
        try
        {
            await page.WaitForURLAsync("**" + path, s_committedSoon);
        }
        catch (TimeoutException)
        {
            // The first navigation may still land, after the wait gave up: then the link is gone with its page.
            if (!page.Url.EndsWith(path, StringComparison.Ordinal))
            {
                try
                {
                    await link.ClickAsync(new LocatorClickOptions { Timeout = 5_000 });
                }
                catch (TimeoutException)
                {
                }
            }

            await page.WaitForURLAsync("**" + path, s_committed);
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheExamplePageLinksBothPagesAndNoRequestFails(CancellationToken cancellationToken)
    {
        HeadlessChromium.IgnoreWhenMissing();
        using var temp = new TempDirectory();
        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await HeadlessChromium.LaunchAsync(playwright, Directory.CreateDirectory(temp.File("profile")).FullName);
        try
        {
            IPage page = await HeadlessChromium.PageAsync(browser);
            var responses = new List<string>();
            page.Response += (_, response) => responses.Add($"{response.Status} {response.Url}");

            string examplePage = new Uri(example.BaseUri, "/example_webpage.html").ToString();
            await page.GotoAsync(examplePage);
            await FollowAsync(page, "/progress.html");

            // A fresh load rather than GoBack, whose restore from the back-forward cache may fire no load event.
            await page.GotoAsync(examplePage);
            await FollowAsync(page, "/job.html");
            await FollowAsync(page, "/example_webpage.html");

            using var client = new HttpClient { BaseAddress = example.BaseUri };
            using HttpResponseMessage favicon = await client.GetAsync("/favicon.ico", cancellationToken);

            string seen = string.Join("\n", responses);
            TestContext.Out.WriteLine(seen);
            Assert.That(responses, Has.Some.Contains("/progress.html").And.Some.Contains("/job.html"), seen);
            Assert.That(responses.Where(r => r[0] is '4' or '5'), Is.Empty, seen);
            Assert.That(favicon.StatusCode, Is.EqualTo(HttpStatusCode.NoContent));
        }
        finally
        {
            await browser.CloseAsync();
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheProgressPageSaysWhenNoFileIsChosen(CancellationToken cancellationToken)
    {
        HeadlessChromium.IgnoreWhenMissing();
        using var temp = new TempDirectory();
        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await HeadlessChromium.LaunchAsync(playwright, Directory.CreateDirectory(temp.File("profile")).FullName);
        try
        {
            IPage page = await HeadlessChromium.PageAsync(browser);
            var uploads = new List<string>();
            page.Request += (_, request) =>
            {
                if (request.Url.Contains("/upload", StringComparison.Ordinal))
                {
                    uploads.Add(request.Url);
                }
            };
            await page.GotoAsync(new Uri(example.BaseUri, "/progress.html").ToString());

            await page.Locator("#start").ClickAsync();

            await HeadlessChromium.SaveScreenshotAsync(page, "progress-no-file");
            Assert.That(await page.Locator("#message").TextContentAsync(), Is.EqualTo("Choose a file first."));
            Assert.That(await page.Locator("#start").IsEnabledAsync(), Is.True);
            Assert.That(await page.Locator("#state").TextContentAsync(), Is.EqualTo("idle"));
            Assert.That(uploads, Is.Empty);
        }
        finally
        {
            await browser.CloseAsync();
        }
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheJobPageShowsTheStepOnceAndTheFinalState(CancellationToken cancellationToken)
    {
        const int Steps = 4;
        HeadlessChromium.IgnoreWhenMissing();
        using var temp = new TempDirectory();
        using ExampleServerProcess example = await ExampleServerProcess.StartAsync(cancellationToken);
        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await HeadlessChromium.LaunchAsync(playwright, Directory.CreateDirectory(temp.File("profile")).FullName);
        try
        {
            IPage page = await HeadlessChromium.PageAsync(browser);
            await page.GotoAsync(new Uri(example.BaseUri, "/job.html").ToString());
            await page.Locator("#steps").FillAsync(Steps.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await page.Locator("#delay").FillAsync("300");

            // Every text the status line shows, in order, as the page changes it.
            await page.EvaluateAsync("""
                () => {
                  const line = document.getElementById('state').parentElement;
                  window.statusLines = [];
                  new MutationObserver(() => window.statusLines.push(line.textContent.replace(/\s+/g, ' ').trim()))
                    .observe(line, { subtree: true, childList: true, characterData: true });
                }
                """);
            await page.Locator("#start").ClickAsync();
            bool disabledWhileRunning = await page.Locator("#start").IsDisabledAsync();
            await page.WaitForFunctionAsync("() => document.body.dataset.finished !== undefined", null,
                new PageWaitForFunctionOptions { Timeout = HeadlessChromium.StepMilliseconds, PollingInterval = 50 });
            await HeadlessChromium.SaveScreenshotAsync(page, "job-finished");

            var lines = new List<string>();
            foreach (JsonElement line in (await page.EvaluateAsync<JsonElement>("() => window.statusLines")).EnumerateArray())
            {
                lines.Add(line.GetString() ?? "");
            }

            string context = string.Join("\n", lines) + "\nlog:\n" + await page.Locator("#log").TextContentAsync();
            TestContext.Out.WriteLine(context);
            Assert.That(await page.EvaluateAsync<string>("() => document.body.dataset.finished"), Is.EqualTo("done"), context);
            Assert.That(disabledWhileRunning, Is.True, "the button while the job runs");
            Assert.That(await page.Locator("#start").IsEnabledAsync(), Is.True, "the button after the job");
            Assert.That(lines, Has.Some.Match(RunningLine()), context);
            Assert.That(lines.Where(line => OfSteps().Count(line) > 1), Is.Empty, "a line with two step counts; " + context);
            Assert.That(await page.Locator("#state").TextContentAsync(), Is.EqualTo("done"), context);
            Assert.That(await page.Locator("#step").TextContentAsync(), Is.EqualTo($"all {Steps} steps done"), context);
            Assert.That(await page.EvaluateAsync<double>("() => document.getElementById('bar').value"), Is.EqualTo(Steps));
            Assert.That(await page.Locator("#log").TextContentAsync(), Does.Contain("→ 204"), "the status document is deleted; " + context);
        }
        finally
        {
            await browser.CloseAsync();
        }
    }

    [GeneratedRegex(@"^State: running · step [1-4] of 4$")]
    private static partial Regex RunningLine();

    [GeneratedRegex(@"\bof 4\b")]
    private static partial Regex OfSteps();
}
