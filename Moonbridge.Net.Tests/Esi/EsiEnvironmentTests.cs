using Moonbridge.Net.Esi;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

[TestFixture]
public sealed class EsiEnvironmentTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TheEnvironmentListsTheModEsiEntriesInOrderThenOneEntryPerRequestHeader(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var seen = new TaskCompletionSource<(EsiEnvironment Environment, string Input)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            seen.TrySetResult((environment, input.Text));
            await session.DeliverAsync("ok", ct);
            return null;
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(
            "GET /esi/t/f/extra/path?x=1&y=2 HTTP/1.1\r\nHost: test\r\nX-Custom: a\r\nContent-Type: text/plain\r\nX-Custom: b\r\n\r\n", cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        (EsiEnvironment environment, string inputText) = await seen.Task.WaitAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(environment.Select(e => e.Key), Is.EqualTo((string[])[
            "server_software", "server_name", "gateway_interface", "server_protocol", "server_port", "request_method",
            "remote_address", "script_name", "path_info", "query_string", "http_host", "http_x_custom", "http_content_type"]));
        Assert.That(environment["server_software"], Does.StartWith("Moonbridge.Net/"));
        Assert.That(environment["server_name"], Is.EqualTo("esi.test"));
        Assert.That(environment["gateway_interface"], Is.EqualTo("CGI/1.1"));
        Assert.That(environment["server_protocol"], Is.EqualTo("HTTP/1.1"));
        Assert.That(environment["server_port"], Is.EqualTo(server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(environment["request_method"], Is.EqualTo("GET"));
        Assert.That(environment["remote_address"], Is.EqualTo("127.0.0.1"));
        Assert.That(environment["script_name"], Is.EqualTo("/esi/t/f/extra/path?x=1&y=2"));
        Assert.That(environment["path_info"], Is.EqualTo("extra/path"));
        Assert.That(environment["query_string"], Is.EqualTo("x=1&y=2"));
        Assert.That(environment["http_host"], Is.EqualTo("test"));
        Assert.That(environment["http_x_custom"], Is.EqualTo("a, b"));
        Assert.That(environment.Header("Content-Type"), Is.EqualTo("text/plain"));
        Assert.That(environment.TryGetValue("peer_cert", out _), Is.False, "peer_cert is absent without TLS");
        Assert.That(inputText, Is.EqualTo("x=1&y=2"), "a GET's input is its query string, as in mod_esi");
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithoutAQueryAGetHasNoQueryStringEntryAndItsInputIsThePathInfo(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var seen = new TaskCompletionSource<(EsiEnvironment Environment, string Input)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            seen.TrySetResult((environment, input.Text));
            await session.DeliverAsync("ok", ct);
            return null;
        }));

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f/a/b", cancellationToken, version: "HTTP/1.0");
        (EsiEnvironment environment, string inputText) = await seen.Task.WaitAsync(cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(200));
        Assert.That(environment["server_protocol"], Is.EqualTo("HTTP/1.0"));
        Assert.That(environment["script_name"], Is.EqualTo("/esi/t/f/a/b"));
        Assert.That(environment["path_info"], Is.EqualTo("a/b"));
        Assert.That(environment.TryGetValue("query_string", out _), Is.False);
        Assert.That(inputText, Is.EqualTo("a/b"));
    }

    [Test]
    public void HeaderKeysAreLowerCaseWithUnderscores()
    {
        Assert.That(EsiEnvironment.HeaderKey("Content-Type"), Is.EqualTo("http_content_type"));
        Assert.That(EsiEnvironment.HeaderKey("X-Forwarded-For"), Is.EqualTo("http_x_forwarded_for"));
        var environment = new EsiEnvironment([new("request_method", "GET"), new("http_accept", "*/*")]);
        Assert.That(environment.Count, Is.EqualTo(2));
        Assert.That(environment[1].Key, Is.EqualTo("http_accept"));
        Assert.That(environment.Header("ACCEPT"), Is.EqualTo("*/*"));
        Assert.That(environment["missing"], Is.Null);
    }
}
