using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>The <c>progress.show</c> formats, their exact bodies and their headers.</summary>
[TestFixture]
public sealed class FormatTests
{
    private const int TestMilliseconds = 20_000;

    [TestCase("", "{\"state\": \"unknown\"}", "application/json", TestName = "WithoutAFormatTheAnswerIsJson")]
    [TestCase("&format=json", "{\"state\": \"unknown\"}", "application/json", TestName = "TheJsonFormatIsTheBareObject")]
    [TestCase("&format=jsonp", "progress({\"state\": \"unknown\"})", "text/javascript", TestName = "TheJsonpFormatCallsProgressByDefault")]
    [TestCase("&format=jsonp&X-Progress-Callback=cb.fn", "cb.fn({\"state\": \"unknown\"})", "text/javascript", TestName = "TheJsonpFormatCallsACustomDottedCallback")]
    [TestCase("&format=legacy", "new Object({\"state\": \"unknown\"})", "text/javascript", TestName = "TheLegacyFormatWrapsTheObjectInNewObject")]
    [TestCase("&format=legacy&X-Progress-Callback=ignored", "new Object({\"state\": \"unknown\"})", "text/javascript", TestName = "TheLegacyFormatIgnoresACallback")]
    [CancelAfter(TestMilliseconds)]
    public async Task AFormatGivesItsExactBodyAndContentTypeAndIsNeverCachedOrSniffed(string query, string body, string contentType)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        var response = await ProgressProbe.GetAsync(server.Port, "/progress?X-Progress-Id=fmt" + query, cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(response.BodyText, Is.EqualTo(body));
        Assert.That(response.Header("Content-Type"), Is.EqualTo(contentType));
        Assert.That(response.Header("Cache-Control"), Is.EqualTo("no-store"));
        Assert.That(response.Header("X-Content-Type-Options"), Is.EqualTo("nosniff"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheFormatsWrapTheSameObjectForATrackedUpload()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        await RawUpload.SendAsync(server.Port, "/reject?status=400&X-Progress-Id=wrapped", 10, cancellationToken);
        await ProgressProbe.WaitForAsync(server.Port, "wrapped", ProgressJsonText.Error(400), cancellationToken);

        var jsonp = await ProgressProbe.GetAsync(server.Port, "/progress?X-Progress-Id=wrapped&format=jsonp&X-Progress-Callback=$a._b1", cancellationToken);
        var legacy = await ProgressProbe.GetAsync(server.Port, "/progress?format=legacy&x-progress-id=wrapped", cancellationToken);

        Assert.That(jsonp.BodyText, Is.EqualTo("$a._b1({\"state\": \"error\", \"status\": 400})"));
        Assert.That(legacy.BodyText, Is.EqualTo("new Object({\"state\": \"error\", \"status\": 400})"));
    }

    [TestCase("alert(1)", TestName = "ACallbackThatCallsSomethingIsRefusedWith400")]
    [TestCase("alert%281%29", TestName = "APercentEncodedCallAsCallbackIsRefusedWith400")]
    [TestCase("a%3Bb", TestName = "ACallbackWithASemicolonIsRefusedWith400")]
    [TestCase("%3C%2Fscript%3E", TestName = "ACallbackThatClosesAScriptElementIsRefusedWith400")]
    [TestCase("", TestName = "AnEmptyCallbackIsRefusedWith400")]
    [TestCase("eval", TestName = "EvalAsCallbackIsRefusedWith400")]
    [TestCase("self.location.assign", TestName = "ANavigatingCallbackIsRefusedWith400")]
    [TestCase("1a", TestName = "ACallbackStartingWithADigitIsRefusedWith400")]
    [TestCase("a..b", TestName = "ACallbackWithAnEmptyPartIsRefusedWith400")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "ACallbackOf200CharactersIsRefusedWith400")]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnsafeCallbackIsRefusedAndNeverEchoed(string callback)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        var response = await ProgressProbe.GetAsync(server.Port, "/progress?X-Progress-Id=cb&format=jsonp&X-Progress-Callback=" + callback, cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(400));
        Assert.That(response.BodyText, Does.Not.Contain("{\"state\""));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ACallbackOf128CharactersIsAccepted()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();
        string callback = new('c', 128);

        var response = await ProgressProbe.GetAsync(server.Port, "/progress?X-Progress-Id=cb&format=jsonp&X-Progress-Callback=" + callback, cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo(callback + "({\"state\": \"unknown\"})"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnknownFormatIsRefusedWith400()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        var response = await ProgressProbe.GetAsync(server.Port, "/progress?X-Progress-Id=f&format=xml", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(400));
    }
}
