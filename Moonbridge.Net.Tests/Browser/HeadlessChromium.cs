using Microsoft.Playwright;

namespace Moonbridge.Net.Tests.Browser;

/// <summary>
/// The Debian <c>chromium</c> package driven by Playwright, headless, never a downloaded browser; shared by
/// the fixtures that load the example's pages.
/// </summary>
internal static class HeadlessChromium
{
    /// <summary>The Debian package's launcher; .ci/run installs it when it is missing.</summary>
    public const string Path = "/usr/bin/chromium";

    /// <summary>The longest one browser step (a launch, a navigation, a wait) may take, in milliseconds.</summary>
    public const float StepMilliseconds = 30_000;

    private static readonly string[] s_arguments =
    [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-quic",
    ];

    public static void IgnoreWhenMissing()
    {
        if (!File.Exists(Path))
        {
            Assert.Ignore($"{Path} is not installed (Debian package 'chromium'; .ci/run installs it), so the browser test cannot run here.");
        }
    }

    /// <summary>Chromium, headless, with a fresh profile in <paramref name="userData"/>; nothing is downloaded.</summary>
    public static async Task<IBrowserContext> LaunchAsync(IPlaywright playwright, string userData)
    {
        IBrowserContext browser = await playwright.Chromium.LaunchPersistentContextAsync(userData, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Path,
            Headless = true,
            Args = s_arguments,
            Timeout = StepMilliseconds,
            ViewportSize = new ViewportSize { Width = 1000, Height = 600 },
        });
        browser.SetDefaultTimeout(StepMilliseconds);
        return browser;
    }

    /// <summary>The browser's first page, or a new one.</summary>
    public static async Task<IPage> PageAsync(IBrowserContext browser) => browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();

    /// <summary>A full-page screenshot in the test's work directory, attached to the test's result.</summary>
    public static async Task SaveScreenshotAsync(IPage page, string name)
    {
        string directory = Directory.CreateDirectory(System.IO.Path.Combine(TestContext.CurrentContext.WorkDirectory, "browser")).FullName;
        string path = System.IO.Path.Combine(directory, $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss-fff}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        TestContext.AddTestAttachment(path, name);
        TestContext.Out.WriteLine($"screenshot: {path}");
    }
}
