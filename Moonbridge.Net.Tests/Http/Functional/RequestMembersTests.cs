using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Http.Functional;

[TestFixture]
public sealed class RequestMembersTests
{
    private const int TestMilliseconds = 15_000;

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task MethodPathAndQueryComeFromTheRequestLineUndecoded([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(
            form,
            "DELETE /dir/a%20b.html?x=1&y=%41 HTTP/1.1\r\nHost: test\r\n\r\n",
            r => (r.Method, r.Path, r.Query, r.Target, r.Host, r.Version));

        Assert.That(seen, Is.EqualTo(("DELETE", "dir/a%20b.html", "?x=1&y=%41", "/dir/a%20b.html?x=1&y=%41", "test", "HTTP/1.1")));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ALaterHttp1MinorVersionIsServedAsHttp11WithKeepAlive([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            r =>
            {
                r.SendStatus(200);
                r.SendData(r.Version);
                return true;
            },
            async (r, ct) =>
            {
                r.SendStatus(200);
                await r.SendDataAsync(r.Version);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /a HTTP/1.2\r\nHost: test\r\n\r\nGET /b HTTP/1.7\r\nHost: test\r\n\r\n", cancellationToken);
        RawHttpResponse first = await client.ReadResponseAsync(cancellationToken);
        RawHttpResponse second = await client.ReadResponseAsync(cancellationToken);

        Assert.That((first.Version, first.StatusCode, first.BodyText, first.Header("Connection")), Is.EqualTo(("HTTP/1.1", 200, "HTTP/1.1", (string?)null)));
        Assert.That((second.Version, second.StatusCode, second.BodyText), Is.EqualTo(("HTTP/1.1", 200, "HTTP/1.1")));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task ATargetWithoutAQueryHasAnEmptyQueryAndTheRootAnEmptyPath([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(form, "GET / HTTP/1.1\r\nHost: test\r\n\r\n", r => (r.Path, r.Query));

        Assert.That(seen, Is.EqualTo(("", "")));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task OptionsAsteriskHasNeitherPathNorQuery([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(form, "OPTIONS * HTTP/1.1\r\nHost: test\r\n\r\n", r => (r.Method, r.Path, r.Query, r.GetParams.Count));

        Assert.That(seen, Is.EqualTo(("OPTIONS", (string?)null, (string?)null, 0)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task AnAbsoluteFormTargetSuppliesTheHostInsteadOfTheHostHeader([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(form, "GET http://example.org:8080/page?q=1 HTTP/1.1\r\nHost: other.example\r\n\r\n", r => (r.Host, r.Path, r.Query));

        Assert.That(seen, Is.EqualTo(("example.org:8080", "page", "?q=1")));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task HeadersListsEveryFieldLineOfANameInAnyCase([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(
            form,
            "GET / HTTP/1.1\r\nHost: test\r\nAccept: a, B\r\nX-One: 1\r\naccept: c\r\n\r\n",
            r => (Accept: r.Headers["ACCEPT"].ToArray(), Missing: r.Headers["X-Missing"].Count, Contains: r.Headers.Contains("x-one"), r.Headers.Count));

        Assert.That(seen.Accept, Is.EqualTo((string[])["a, B", "c"]));
        Assert.That(seen.Missing, Is.Zero);
        Assert.That(seen.Contains, Is.True);
        Assert.That(seen.Count, Is.EqualTo(4));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task HeadersValueTellsASingleValueFromAnAbsentAndAnAmbiguousOne([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(
            form,
            "GET / HTTP/1.1\r\nHost: test\r\nAccept: a, B\r\nAccept: c\r\nX-Single: only\r\nX-Empty:\r\nX-Twice: same\r\nX-Twice: same\r\n\r\n",
            r => new[] { r.HeadersValue["x-single"], r.HeadersValue["X-Missing"], r.HeadersValue["Accept"], r.HeadersValue["X-Empty"], r.HeadersValue["X-Twice"] });

        Assert.That(seen[0], Is.EqualTo(new HeaderValue(HeaderValueKind.Present, "only")));
        Assert.That(seen[1].IsAbsent, Is.True);
        Assert.That(seen[1].Value, Is.Null);
        Assert.That(seen[2].IsAmbiguous, Is.True);
        Assert.That(seen[2].Value, Is.Null);
        Assert.That(seen[3], Is.EqualTo(new HeaderValue(HeaderValueKind.Present, "")));
        Assert.That(seen[4].IsAmbiguous, Is.True);
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task HeadersCsvTableHeadersCsvStringAndHeadersFlagsSplitAndJoinCommaSeparatedValues([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(
            form,
            "GET / HTTP/1.1\r\nHost: test\r\nAccept: a, B ,, \r\nAccept: c\r\nConnection: Keep-Alive, Upgrade\r\n\r\n",
            r => (
                Table: r.HeadersCsvTable["accept"].ToArray(),
                Joined: r.HeadersCsvString["Accept"],
                Missing: r.HeadersCsvString["X-Missing"],
                MissingTable: r.HeadersCsvTable["X-Missing"].Count,
                Flags: (r.HeadersFlags["accept", "b"], r.HeadersFlags["Accept", "d"], r.HeadersFlags["connection", "upgrade"], r.HeadersFlags["X-Missing", "a"])));

        Assert.That(seen.Table, Is.EqualTo((string[])["a", "B", "c"]));
        Assert.That(seen.Joined, Is.EqualTo("a, B ,,, c"));
        Assert.That(seen.Missing, Is.Null);
        Assert.That(seen.MissingTable, Is.Zero);
        Assert.That(seen.Flags, Is.EqualTo((true, false, true, false)));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task CookiesKeepValuesContainingEqualsSignsAndTheFirstOfARepeatedName([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(
            form,
            "GET / HTTP/1.1\r\nHost: test\r\nCookie: session=abc==; theme=dark; q=a=b\r\nCookie: theme=light; quoted=\"v\"\r\n\r\n",
            r => new Dictionary<string, string>(r.Cookies));

        Assert.That(seen, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["session"] = "abc==",
            ["theme"] = "dark",
            ["q"] = "a=b",
            ["quoted"] = "v",
        }));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task GetParamsGivesTheFirstValueAndGetParamsListEveryValueDecoded([Values] HandlerForm form)
    {
        var seen = await ObserveAsync(
            form,
            "GET /search?a=1&b=x+y%21&a=2&flag&c=&e=%C3%A9 HTTP/1.1\r\nHost: test\r\n\r\n",
            r => (A: r.GetParams["a"], AList: r.GetParamsList["a"].ToArray(), B: r.GetParams["b"], Flag: r.GetParams["flag"], C: r.GetParams["c"],
                E: r.GetParams["e"], Missing: r.GetParams["missing"], MissingList: r.GetParamsList["missing"].Count, Names: r.GetParamsList.Names.ToArray()));

        Assert.That(seen.A, Is.EqualTo("1"));
        Assert.That(seen.AList, Is.EqualTo((string[])["1", "2"]));
        Assert.That(seen.B, Is.EqualTo("x y!"));
        Assert.That(seen.Flag, Is.Empty);
        Assert.That(seen.C, Is.Empty);
        Assert.That(seen.E, Is.EqualTo("é"));
        Assert.That(seen.Missing, Is.Null);
        Assert.That(seen.MissingList, Is.Zero);
        Assert.That(seen.Names, Is.EqualTo((string[])["a", "b", "flag", "c", "e"]));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task FreshIsTrueUntilAStatusIsSentOrTheBodyIsRead([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var seen = new List<(string?, bool, bool)>();
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                bool before = request.Fresh;
                if (request.Path == "body")
                {
                    _ = request.Body;
                }
                else
                {
                    request.SendStatus(204);
                }

                seen.Add((request.Path, before, request.Fresh));
                if (!request.StatusSent)
                {
                    request.SendStatus(204);
                }

                return true;
            },
            async (request, ct) =>
            {
                bool before = request.Fresh;
                if (request.Path == "body")
                {
                    await request.ReadBodyAsync(ct);
                }
                else
                {
                    request.SendStatus(204);
                }

                seen.Add((request.Path, before, request.Fresh));
                if (!request.StatusSent)
                {
                    request.SendStatus(204);
                }

                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET /status HTTP/1.1\r\nHost: test\r\n\r\nPOST /body HTTP/1.1\r\nHost: test\r\nContent-Length: 2\r\n\r\nhi", cancellationToken);
        await client.ReadResponseAsync(cancellationToken);
        await client.ReadResponseAsync(cancellationToken);

        Assert.That(seen, Is.EqualTo(((string?, bool, bool)[])[("status", true, false), ("body", true, false)]));
    }

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task FaultyIsFalseForAWorkingConnectionAndTrueOnceSendingToAClientThatResetFailed([Values] HandlerForm form)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var entered = new Signal();
        var clientGone = new Signal();
        var result = new TaskCompletionSource<(bool Before, bool After, Type? Failure)>(TaskCreationOptions.RunContinuationsAsynchronously);
        byte[] piece = new byte[64 * 1024];
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            request =>
            {
                bool before = request.Faulty;
                entered.Set();
                clientGone.Wait();
                try
                {
                    // The reset may already have made the request faulty, and then the status throws too.
                    request.SendStatus(200);
                    for (int i = 0; i < 1000; i++)
                    {
                        request.SendData(piece);
                        request.Flush();
                    }

                    result.TrySetResult((before, request.Faulty, null));
                }
                catch (IOException e)
                {
                    result.TrySetResult((before, request.Faulty, e.GetType()));
                }

                return true;
            },
            async (request, ct) =>
            {
                bool before = request.Faulty;
                entered.Set();

                // Not ct: it fires as soon as the client's reset arrives, and this test is about the sends after it.
                await clientGone.WaitAsync(CancellationToken.None);
                try
                {
                    // The reset may already have made the request faulty, and then the status throws too.
                    request.SendStatus(200);
                    for (int i = 0; i < 1000; i++)
                    {
                        await request.SendDataAsync(piece);
                        await request.FlushAsync();
                    }

                    result.TrySetResult((before, request.Faulty, null));
                }
                catch (IOException e)
                {
                    result.TrySetResult((before, request.Faulty, e.GetType()));
                }

                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);

        await client.SendAsync("GET / HTTP/1.1\r\nHost: test\r\n\r\n", cancellationToken);
        await entered.WaitAsync(cancellationToken);
        client.Reset();
        clientGone.Set();
        (bool before, bool after, Type? failure) = await result.Task.WaitAsync(Signal.Limit, cancellationToken);

        Assert.That(before, Is.False);
        Assert.That(failure, Is.EqualTo(typeof(IOException)));
        Assert.That(after, Is.True);
    }

    /// <summary>Sends one request, lets <paramref name="observe"/> look at it in the handler, and returns what it saw.</summary>
    private static async Task<T> ObserveAsync<T>(HandlerForm form, string request, Func<HttpRequest, T> observe)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        var seen = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = TestServer.StartHttp(
            form,
            TestServer.HttpOptions(),
            r =>
            {
                seen.TrySetResult(observe(r));
                r.SendStatus(204);
                return true;
            },
            async (r, ct) =>
            {
                await Task.Yield();
                seen.TrySetResult(observe(r));
                r.SendStatus(204);
                return true;
            });
        using TestClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync(request, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
        Assert.That(response.StatusCode, Is.EqualTo(204));
        return await seen.Task.WaitAsync(Signal.Limit, cancellationToken);
    }
}
