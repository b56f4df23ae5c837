using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>Aliases, the module allow-list, and how the router fits the HTTP module.</summary>
[TestFixture]
public sealed class EsiRoutingTests
{
    private const int TestMilliseconds = 15_000;

    [TestCase("/esi/nomodule/f")]
    [TestCase("/esi/t/nofunction")]
    [TestCase("/esi/t")]
    [TestCase("/esi/t/")]
    [TestCase("/esi/")]
    [TestCase("/esi/T/f")]
    [TestCase("/esi/t%2Ff")]
    [TestCase("/esi/t/..")]
    [CancelAfter(TestMilliseconds)]
    public async Task AnUnknownModuleOrFunctionUnderAnAliasIs404(string target, CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), Fallback, EsiServer.One(EsiServer.Delivering("found")));

        RawHttpResponse response = await EsiServer.GetAsync(server, target, cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(404));
        Assert.That(response.BodyText, Does.Not.Contain("fallback"));
    }

    [TestCase("/esi/t/f")]
    [TestCase("/esi/t:f")]
    [TestCase("/esi/t%3Af")]
    [TestCase("/esi/t%3af/more?q=1")]
    [CancelAfter(TestMilliseconds)]
    public async Task ModuleAndFunctionAreSeparatedByASlashOrAColonAsInModEsi(string target, CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), Fallback, EsiServer.One(EsiServer.Delivering("found")));

        RawHttpResponse response = await EsiServer.GetAsync(server, target, cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("found"));
    }

    [TestCase("/esi")]
    [TestCase("/esix/t/f")]
    [TestCase("/other")]
    [TestCase("/")]
    [CancelAfter(TestMilliseconds)]
    public async Task PathsOutsideEveryAliasGoToTheFallbackHandler(string target, CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), Fallback, EsiServer.One(EsiServer.Delivering("found")));

        RawHttpResponse response = await EsiServer.GetAsync(server, target, cancellationToken);

        Assert.That(response.BodyText, Is.EqualTo("fallback"));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task WithoutAFallbackOtherPathsAre404(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(EsiServer.Delivering("found")));

        RawHttpResponse response = await EsiServer.GetAsync(server, "/other", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(404));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TryHandleAsyncLetsAHandlerOfItsOwnServeOtherPaths(CancellationToken cancellationToken)
    {
        EsiRouter router = new EsiRouter(EsiServer.Options(new EsiLogCapture()))
            .Map("/esi", EsiServer.One(EsiServer.Delivering("esi")))
            .Map("/cgi-bin/erl", new EsiModule("m").With("g", EsiServer.Delivering("deep")));
        var answered = new List<(string Path, bool Esi, bool IsEsiPath)>();
        await using TestServer server = TestServer.StartHttp(TestServer.HttpOptions(), async (request, ct) =>
        {
            bool isEsiPath = router.IsEsiPath(request);
            bool handled = await router.TryHandleAsync(request, ct);
            lock (answered)
            {
                answered.Add((request.Path!, handled, isEsiPath));
            }

            if (!handled)
            {
                request.SendStatus(200);
                request.SendData("mine");
            }

            return true;
        });

        RawHttpResponse esi = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);
        RawHttpResponse deep = await EsiServer.GetAsync(server, "/cgi-bin/erl/m/g", cancellationToken);
        RawHttpResponse mine = await EsiServer.GetAsync(server, "/cgi-bin/m/g", cancellationToken);

        Assert.That((esi.BodyText, deep.BodyText, mine.BodyText), Is.EqualTo(("esi", "deep", "mine")));
        // A handler records its request after the answer went out, so the next request may be recorded first.
        Assert.That(answered, Is.EquivalentTo(new[] { ("esi/t/f", true, true), ("cgi-bin/erl/m/g", true, true), ("cgi-bin/m/g", false, false) }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AScriptThrowingAnHttpStatusExceptionBeforeItsHeadersGetsThatStatus(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One((session, environment, input, ct) => throw new HttpStatusException(403, "Not yours")));

        RawHttpResponse response = await EsiServer.GetAsync(server, "/esi/t/f", cancellationToken);

        Assert.That(response.StatusCode, Is.EqualTo(403));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ManyRequestsOnOneConnectionAreEachAnswered(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        await using TestServer server = EsiServer.Start(EsiServer.Options(log), EsiServer.One(async (session, environment, input, ct) =>
        {
            await session.DeliverAsync($"content-type: text/plain\r\n\r\n{environment["query_string"]}", ct);
            return null;
        }));
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync(string.Concat(Enumerable.Range(0, 5).Select(i => $"GET /esi/t/f?{i} HTTP/1.1\r\nHost: test\r\n\r\n")), cancellationToken);
        var bodies = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            bodies.Add((await client.ReadResponseAsync(cancellationToken)).BodyText);
        }

        Assert.That(bodies, Is.EqualTo((string[])["0", "1", "2", "3", "4"]));
    }

    [TestCase("")]
    [TestCase("a/b")]
    [TestCase("a:b")]
    [TestCase("a b")]
    [TestCase("ä")]
    public void ModuleAndFunctionNamesAreCheckedWhenRegistered(string name)
    {
        Assert.That(() => new EsiModule(name), Throws.ArgumentException);
        Assert.That(() => new EsiModule("ok").With(name, EsiServer.Delivering("x")), Throws.ArgumentException);
    }

    [Test]
    public void RegistrationRefusesDuplicatesAndMalformedAliases()
    {
        Assert.That(() => new EsiModule("m").With("f", EsiServer.Delivering("x")).With("f", EsiServer.Delivering("y")), Throws.ArgumentException);
        var router = new EsiRouter().Map("/esi", new EsiModule("m"));
        Assert.That(() => router.Map("/esi", new EsiModule("m")), Throws.ArgumentException);
        Assert.That(() => router.Map("/esi", new EsiModule("n")), Throws.Nothing, "mapping an alias again adds modules");
        foreach (string alias in new[] { "", "/", "esi", "/esi/", "/e?x", "/a//b", "/a%20b" })
        {
            Assert.That(() => router.Map(alias, new EsiModule("m")), Throws.ArgumentException, alias);
        }

        Assert.That(() => new EsiRouter(new EsiOptions { ScriptTimeout = TimeSpan.Zero }), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new EsiRouter(new EsiOptions { MaximumBodyChunkSize = 0 }), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    private static async ValueTask<bool> Fallback(HttpRequest request, CancellationToken cancellationToken)
    {
        request.SendStatus(200);
        await request.SendDataAsync("fallback");
        return true;
    }
}
