using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>Configurations of <see cref="TestServer"/> whose request handler is an <see cref="EsiRouter"/>, with its log captured.</summary>
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
    public static TestServer Start(EsiOptions options, AsyncHttpRequestHandler? fallback, params EsiModule[] modules)
        => Start(TestServer.HttpOptions(), options, fallback, modules);

    /// <summary>As <see cref="Start(EsiOptions, AsyncHttpRequestHandler?, EsiModule[])"/>, with the HTTP layer's options.</summary>
    public static TestServer Start(HttpOptions http, EsiOptions options, AsyncHttpRequestHandler? fallback, params EsiModule[] modules)
        => TestServer.StartHttp(http, new EsiRouter(options).Map("/esi", modules).ToRequestHandler(fallback));

    public static TestServer Start(EsiOptions options, params EsiModule[] modules) => Start(options, null, modules);

    /// <summary>A module <c>t</c> with one function <c>f</c>.</summary>
    public static EsiModule One(EsiHandler handler) => new EsiModule("t").With("f", handler);

    /// <summary>Sends a bodiless request and reads its response over a fresh raw connection.</summary>
    public static Task<RawHttpResponse> GetAsync(TestServer server, string target, CancellationToken cancellationToken, string version = "HTTP/1.1", string method = "GET")
        => server.RequestAsync(method, target, cancellationToken, version: version);

    /// <summary>Delivers <paramref name="output"/> as one chunk and ends.</summary>
    public static EsiHandler Delivering(string output) => async (session, environment, input, ct) =>
    {
        await session.DeliverAsync(output, ct);
        return null;
    };
}
