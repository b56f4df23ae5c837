using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Progress.Http;

/// <summary>The <c>progress.show</c> formats, their exact bodies and their headers.</summary>
[TestFixture]
public sealed class FormatTests
{
    private const int TestMilliseconds = 20_000;

    [TestCase("", "{\"state\": \"unknown\"}", "application/json", TestName = "Without_a_format_the_answer_is_json")]
    [TestCase("&format=json", "{\"state\": \"unknown\"}", "application/json", TestName = "The_json_format_is_the_bare_object")]
    [TestCase("&format=jsonp", "progress({\"state\": \"unknown\"})", "text/javascript", TestName = "The_jsonp_format_calls_progress_by_default")]
    [TestCase("&format=jsonp&X-Progress-Callback=cb.fn", "cb.fn({\"state\": \"unknown\"})", "text/javascript", TestName = "The_jsonp_format_calls_a_custom_dotted_callback")]
    [TestCase("&format=legacy", "new Object({\"state\": \"unknown\"})", "text/javascript", TestName = "The_legacy_format_wraps_the_object_in_new_Object")]
    [TestCase("&format=legacy&X-Progress-Callback=ignored", "new Object({\"state\": \"unknown\"})", "text/javascript", TestName = "The_legacy_format_ignores_a_callback")]
    [CancelAfter(TestMilliseconds)]
    public async Task A_format_gives_its_exact_body_and_content_type_and_is_never_cached_or_sniffed(string query, string body, string contentType)
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
    public async Task The_formats_wrap_the_same_object_for_a_tracked_upload()
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

    [TestCase("alert(1)", TestName = "A_callback_that_calls_something_is_refused_with_400")]
    [TestCase("alert%281%29", TestName = "A_percent_encoded_call_as_callback_is_refused_with_400")]
    [TestCase("a%3Bb", TestName = "A_callback_with_a_semicolon_is_refused_with_400")]
    [TestCase("%3C%2Fscript%3E", TestName = "A_callback_that_closes_a_script_element_is_refused_with_400")]
    [TestCase("", TestName = "An_empty_callback_is_refused_with_400")]
    [TestCase("eval", TestName = "Eval_as_callback_is_refused_with_400")]
    [TestCase("self.location.assign", TestName = "A_navigating_callback_is_refused_with_400")]
    [TestCase("1a", TestName = "A_callback_starting_with_a_digit_is_refused_with_400")]
    [TestCase("a..b", TestName = "A_callback_with_an_empty_part_is_refused_with_400")]
    [TestCase("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", TestName = "A_callback_of_200_characters_is_refused_with_400")]
    [CancelAfter(TestMilliseconds)]
    public async Task An_unsafe_callback_is_refused_and_never_echoed(string callback)
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
    public async Task A_callback_of_128_characters_is_accepted()
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
    public async Task An_unknown_format_is_refused_with_400()
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var routes = new ProgressRoutes();
        await using TestServer server = routes.Start();

        var response = await ProgressProbe.GetAsync(server.Port, "/progress?X-Progress-Id=f&format=xml", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(400));
    }
}
