using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Http.Functional;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>An HTTP test server on loopback whose request handler is an <see cref="EsiRouter"/>, with its log captured.</summary>
internal static class EsiServer
{
    /// <summary>Options for tests: a script timeout that fails a hanging test long before its own limit.</summary>
    public static EsiOptions Options(EsiLogCapture log) => new()
    {
        ScriptTimeout = TimeSpan.FromSeconds(5),
        LoggerFactory = log,
        ServerName = "esi.test",
    };

    /// <summary>Serves <c>/esi/&lt;module&gt;/…</c> with <paramref name="modules"/>; other paths get 404 or <paramref name="fallback"/>.</summary>
    public static HttpTestServer Start(EsiOptions options, AsyncHttpRequestHandler? fallback, params EsiModule[] modules)
        => HttpTestServer.Start(HttpTestServer.Options(), new EsiRouter(options).Map("/esi", modules).ToRequestHandler(fallback));

    public static HttpTestServer Start(EsiOptions options, params EsiModule[] modules) => Start(options, null, modules);

    /// <summary>A module <c>t</c> with one function <c>f</c>.</summary>
    public static EsiModule One(EsiHandler handler) => new EsiModule("t").With("f", handler);

    /// <summary>Sends a bodiless request and reads its response over a fresh raw connection.</summary>
    public static async Task<RawHttpResponse> GetAsync(HttpTestServer server, string target, CancellationToken cancellationToken, string version = "HTTP/1.1", string method = "GET")
    {
        using RawHttpClient client = await server.ConnectAsync(cancellationToken);
        await client.SendAsync($"{method} {target} {version}\r\nHost: test\r\n\r\n", cancellationToken);
        return await client.ReadResponseAsync(cancellationToken, forHead: method == "HEAD");
    }

    /// <summary>Delivers <paramref name="output"/> as one chunk and ends.</summary>
    public static EsiHandler Delivering(string output) => async (session, environment, input, ct) =>
    {
        await session.DeliverAsync(output, ct);
        return null;
    };
}
