using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moonbridge.Net.Esi.Internal;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Esi;

/// <summary>
/// Serves ESI functions (Erlang inets <c>mod_esi</c>) on the HTTP module: URLs
/// <c>&lt;alias&gt;/&lt;module&gt;/&lt;function&gt;[/path-info][?query]</c> (also <c>module:function</c>, as in
/// mod_esi) call the <see cref="EsiHandler"/> registered under that alias, module and function; anything else under
/// an alias is a <c>404</c>. Use <see cref="ToRequestHandler"/> with <c>HttpHandler.Create</c>, or call
/// <see cref="TryHandleAsync"/> from your own request handler.
/// </summary>
/// <example>
/// <code>
/// var router = new EsiRouter(new EsiOptions { ScriptTimeout = TimeSpan.FromSeconds(5) })
///     .Map("/esi", new EsiModule("hello").With("page", async (session, env, input, ct) =>
///     {
///         await session.DeliverAsync("content-type: text/plain\r\n\r\nHello from " + env["script_name"], ct);
///         return null;
///     }));
/// AsyncConnectHandler connect = HttpHandler.Create(new HttpOptions(), router.ToRequestHandler());
/// </code>
/// </example>
public sealed partial class EsiRouter
{
    /// <summary>How many local <c>Location</c> redirects one request may follow before it is answered with 500.</summary>
    public const int MaximumInternalRedirects = 5;

    private static readonly Lazy<string> s_hostName = new(HostName);
    private static readonly System.Buffers.SearchValues<char> s_aliasForbidden = System.Buffers.SearchValues.Create("?#% \t\r\n");

    private readonly EsiOptions _options;
    private readonly ILogger _logger;
    private readonly string _serverName;
    private readonly Lock _mapping = new();
    private EsiAlias[] _aliases = [];

    /// <summary>Creates a router with no aliases.</summary>
    /// <param name="options">Settings, copied now (later changes have no effect); null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public EsiRouter(EsiOptions? options = null)
    {
        options ??= new EsiOptions();
        options.Validate();
        _options = new EsiOptions
        {
            ScriptTimeout = options.ScriptTimeout,
            NoCache = options.NoCache,
            MaximumBodyChunkSize = options.MaximumBodyChunkSize,
            ServerSoftware = options.ServerSoftware,
            ServerName = options.ServerName,
            LoggerFactory = options.LoggerFactory,
        };
        _logger = options.LoggerFactory?.CreateLogger("Moonbridge.Net.Esi") ?? NullLogger.Instance;
        _serverName = options.ServerName ?? s_hostName.Value;
    }

    /// <summary>
    /// Allows <paramref name="modules"/> under the URL prefix <paramref name="alias"/> (mod_esi
    /// <c>erl_script_alias</c>). The modules' functions are copied now; mapping the same alias again adds modules.
    /// </summary>
    /// <param name="alias">A path such as <c>/esi</c> or <c>/cgi-bin/erl</c>: starts with <c>/</c>, no trailing <c>/</c>, no query.</param>
    /// <param name="modules">The modules callable under it.</param>
    /// <returns>This router, for chaining.</returns>
    /// <exception cref="ArgumentException">The alias is malformed, or a module name repeats under it.</exception>
    public EsiRouter Map(string alias, params EsiModule[] modules)
    {
        string prefix = ValidateAlias(alias);
        ArgumentNullException.ThrowIfNull(modules);
        lock (_mapping)
        {
            EsiAlias? existing = Array.Find(_aliases, a => a.Prefix == prefix);
            var table = new Dictionary<string, FrozenDictionary<string, EsiHandler>>(existing?.Modules ?? FrozenDictionary<string, FrozenDictionary<string, EsiHandler>>.Empty, StringComparer.Ordinal);
            foreach (EsiModule module in modules)
            {
                ArgumentNullException.ThrowIfNull(module, nameof(modules));
                if (!table.TryAdd(module.Name, module.ToFrozenDictionary(StringComparer.Ordinal)))
                {
                    throw new ArgumentException($"Module '{module.Name}' is already mapped under '{alias}'.", nameof(modules));
                }
            }

            var mapped = new EsiAlias(prefix, table.ToFrozenDictionary(StringComparer.Ordinal));

            // Copy on write: requests in flight keep reading the array they started with.
            _aliases = existing is null
                ? [.. _aliases, mapped]
                : Array.ConvertAll(_aliases, a => ReferenceEquals(a, existing) ? mapped : a);
        }

        return this;
    }

    /// <summary>Whether the request's path lies under a mapped alias, i.e. <see cref="TryHandleAsync"/> would answer it.</summary>
    /// <param name="request">The request.</param>
    public bool IsEsiPath(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path is { } path && FindAlias(path, out _) is not null;
    }

    /// <summary>
    /// Answers the request when its path lies under a mapped alias: runs the function, or answers <c>404</c> for
    /// an unknown module or function. Returns false, having sent nothing, for any other path.
    /// </summary>
    /// <param name="request">The request; nothing may have been sent on it yet.</param>
    /// <param name="cancellationToken">The request handler's token; cancels the script.</param>
    /// <returns>Whether the request was an ESI request (and is answered).</returns>
    /// <exception cref="InvalidOperationException">A status was already sent on the request.</exception>
    public async ValueTask<bool> TryHandleAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Path is not { } path || FindAlias(path, out ReadOnlySpan<char> rest) is not { } alias)
        {
            return false;
        }

        if (request.StatusSent)
        {
            throw new InvalidOperationException("The request was already answered; an ESI script cannot answer it again.");
        }

        string query = request.Query ?? string.Empty;
        EsiTarget? target = Resolve(alias, rest, query.Length > 0 ? query[1..] : null, "/" + path + query, request.Method);
        if (target is null)
        {
            EsiLog.NotFound(_logger, "/" + path);
            await AnswerAsync(request, 404).ConfigureAwait(false);
            return true;
        }

        await RunAsync(request, target.Value, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// A request handler for <c>HttpHandler.Create</c>: ESI URLs go to their functions, other requests to
    /// <paramref name="fallback"/>, or get a <c>404</c> when there is none.
    /// </summary>
    /// <param name="fallback">Serves everything that is not an ESI URL; null to answer those with 404.</param>
    public AsyncHttpRequestHandler ToRequestHandler(AsyncHttpRequestHandler? fallback = null)
        => async (request, cancellationToken) =>
        {
            if (await TryHandleAsync(request, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            if (fallback is not null)
            {
                return await fallback(request, cancellationToken).ConfigureAwait(false);
            }

            await AnswerAsync(request, 404).ConfigureAwait(false);
            return true;
        };

    private EsiAlias? FindAlias(string path, out ReadOnlySpan<char> rest)
    {
        foreach (EsiAlias alias in _aliases)
        {
            if (alias.Covers(path, out rest))
            {
                return alias;
            }
        }

        rest = default;
        return null;
    }

    /// <summary>
    /// Splits <c>module/function[/path-info]</c> (or <c>module:function</c>, <c>module%3Afunction</c>) and looks the
    /// function up in the alias's allow-list; null when it is not there.
    /// </summary>
    private static EsiTarget? Resolve(EsiAlias alias, ReadOnlySpan<char> rest, string? query, string scriptName, string method)
    {
        int separator = rest.IndexOfAny('/', ':', '%');
        if (separator <= 0)
        {
            return null;
        }

        ReadOnlySpan<char> module = rest[..separator];
        ReadOnlySpan<char> afterModule;
        if (rest[separator] == '%')
        {
            if (!rest[separator..].StartsWith("%3A", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            afterModule = rest[(separator + 3)..];
        }
        else
        {
            afterModule = rest[(separator + 1)..];
        }

        int slash = afterModule.IndexOf('/');
        ReadOnlySpan<char> function = slash < 0 ? afterModule : afterModule[..slash];
        ReadOnlySpan<char> pathInfo = slash < 0 ? [] : afterModule[(slash + 1)..];
        if (!EsiModule.IsValidName(module) || !EsiModule.IsValidName(function)
            || !alias.Modules.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(module, out FrozenDictionary<string, EsiHandler>? functions)
            || !functions.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(function, out EsiHandler? handler))
        {
            return null;
        }

        return new EsiTarget(handler, module.ToString(), function.ToString(), pathInfo.IsEmpty ? null : pathInfo.ToString(), query, scriptName, method);
    }

    private static string ValidateAlias(string alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        if (alias.Length < 2 || alias[0] != '/' || alias[^1] == '/' || alias.Contains("//", StringComparison.Ordinal)
            || alias.AsSpan().ContainsAny(s_aliasForbidden))
        {
            throw new ArgumentException($"'{alias}' is not a valid alias: use a path like \"/esi\", without a trailing slash, query or escapes.", nameof(alias));
        }

        return alias[1..];
    }

    /// <summary>A short plain-text answer of the router itself (404, or 302 for a local redirect outside ESI).</summary>
    private static async ValueTask AnswerAsync(HttpRequest request, int statusCode, string? location = null)
    {
        request.SendStatus(statusCode);
        request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
        if (location is not null)
        {
            request.SendHeader("Location", location);
        }

        await request.SendDataAsync($"{statusCode.ToString(CultureInfo.InvariantCulture)} {Http.Internal.StatusLine.ReasonPhrase(statusCode)}\n").ConfigureAwait(false);
    }

    private static string HostName()
    {
        try
        {
            return System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return "localhost";
        }
    }
}
