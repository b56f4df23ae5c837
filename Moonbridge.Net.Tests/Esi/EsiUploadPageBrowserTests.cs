using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using EsiExample;
using Microsoft.Playwright;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>
/// The index page of examples/Esi in a real headless Chromium (the Debian <c>chromium</c> package driven by
/// Playwright, never a downloaded browser): choosing a file and pressing Upload sends the file to the upload
/// function, which answers with its size and SHA-256.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EsiUploadPageBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";
    private const int UploadLength = 3 * 1024 * 1024 + 5;
    private const float StepMilliseconds = 30_000;

    [Test]
    [CancelAfter(120_000)]
    public async Task TheIndexPageUploadsTheChosenFileToTheUploadFunction(CancellationToken cancellationToken)
    {
        if (!File.Exists(Chromium))
        {
            Assert.Ignore($"{Chromium} is not installed (Debian package 'chromium'), so the browser test cannot run here.");
        }

        using var temp = new TempDirectory();
        string file = temp.File("upload.bin");
        byte[] content = new byte[UploadLength];
        new Random(17).NextBytes(content);
        await File.WriteAllBytesAsync(file, content, cancellationToken);

        var uploads = new ConcurrentQueue<string>();
        AsyncHttpRequestHandler router = EsiDemo.CreateRouter(new EsiOptions { MaximumBodyChunkSize = 64 * 1024 }).ToRequestHandler(EsiDemo.IndexAsync);
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), (request, ct) =>
        {
            if (request.Path == "esi/demo/upload")
            {
                uploads.Enqueue($"{request.Method} content-type={request.Headers.GetCsvString("Content-Type")} content-length={request.Headers.GetCsvString("Content-Length")}");
            }

            return router(request, ct);
        });

        using IPlaywright playwright = await Playwright.CreateAsync();
        IBrowserContext browser = await playwright.Chromium.LaunchPersistentContextAsync(Directory.CreateDirectory(temp.File("profile")).FullName, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            Timeout = StepMilliseconds,
        });
        try
        {
            browser.SetDefaultTimeout(StepMilliseconds);
            IPage page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
            var console = new ConcurrentQueue<string>();
            page.Console += (_, message) => console.Enqueue($"{message.Type}: {message.Text}");
            page.PageError += (_, error) => console.Enqueue($"page error: {error}");

            IResponse? index = await page.GotoAsync(server.BaseUri.ToString());
            Assert.That(index?.Status, Is.EqualTo(200));
            await page.Locator("#file").SetInputFilesAsync(file);
            await page.Locator("#upload button").ClickAsync();
            await page.WaitForFunctionAsync("() => document.body.dataset.finished !== undefined", null, new PageWaitForFunctionOptions { Timeout = StepMilliseconds, PollingInterval = 50 });
            string result = await page.Locator("#result").TextContentAsync() ?? string.Empty;

            string context = $"result: {result}\nrequests: {string.Join("; ", uploads)}\nconsole:\n{string.Join("\n", console)}";
            TestContext.Out.WriteLine(context);
            Assert.That(result, Does.StartWith("201 "), context);
            using JsonDocument summary = JsonDocument.Parse(result[4..]);
            Assert.That(summary.RootElement.GetProperty("bytes").GetInt64(), Is.EqualTo(UploadLength), context);
            Assert.That(summary.RootElement.GetProperty("sha256").GetString(), Is.EqualTo(Convert.ToHexStringLower(SHA256.HashData(content))), context);
            Assert.That(uploads, Is.EqualTo((string[])[$"POST content-type=application/octet-stream content-length={UploadLength}"]), context);
        }
        finally
        {
            await browser.CloseAsync();
        }
    }
}
