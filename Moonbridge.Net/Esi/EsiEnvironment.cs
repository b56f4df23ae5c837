using System.Collections;

namespace Moonbridge.Net.Esi;

/// <summary>
/// mod_esi's <c>Env</c>: what the server knows about the request as ordered key/value entries, values as text.
/// In order: <c>server_software</c>, <c>server_name</c>, <c>gateway_interface</c>, <c>server_protocol</c>,
/// <c>server_port</c> (absent on a Unix socket), <c>request_method</c>, <c>remote_address</c> (absent on a Unix
/// socket), <c>script_name</c> (the request URI), <c>path_info</c> (after the function name, when there is any),
/// <c>query_string</c> (when the URI has a <c>?</c>), then <c>http_&lt;name&gt;</c> for every request header, the
/// name lower-cased with <c>-</c> as <c>_</c> (repeated headers joined with <c>", "</c>). <c>peer_cert</c> is
/// absent: it is only defined for TLS, which this server does not terminate.
/// </summary>
public sealed class EsiEnvironment : IReadOnlyList<KeyValuePair<string, string>>
{
    /// <summary>Key of the server's name and version.</summary>
    public const string ServerSoftware = "server_software";

    /// <summary>Key of the local host name.</summary>
    public const string ServerName = "server_name";

    /// <summary>Key of the CGI version string, always <c>CGI/1.1</c>.</summary>
    public const string GatewayInterface = "gateway_interface";

    /// <summary>Key of the client's protocol, <c>HTTP/1.1</c> or <c>HTTP/1.0</c>.</summary>
    public const string ServerProtocol = "server_protocol";

    /// <summary>Key of the local TCP port.</summary>
    public const string ServerPort = "server_port";

    /// <summary>Key of the request method.</summary>
    public const string RequestMethod = "request_method";

    /// <summary>Key of the client's IP address (mod_esi's documentation spells it <c>remote_adress</c>).</summary>
    public const string RemoteAddress = "remote_address";

    /// <summary>Key of the client certificate; never present, as this server has no TLS.</summary>
    public const string PeerCert = "peer_cert";

    /// <summary>Key of the request URI: path and query.</summary>
    public const string ScriptName = "script_name";

    /// <summary>Key of the path after the function name, without its leading <c>/</c>.</summary>
    public const string PathInfo = "path_info";

    /// <summary>Key of the query, without its leading <c>?</c>.</summary>
    public const string QueryString = "query_string";

    /// <summary>Prefix of the request header entries.</summary>
    public const string HeaderPrefix = "http_";

    private readonly List<KeyValuePair<string, string>> _entries;

    /// <summary>Creates an environment from entries, e.g. to call a handler in a unit test.</summary>
    /// <param name="entries">The entries, in order; keys should be unique.</param>
    public EsiEnvironment(IEnumerable<KeyValuePair<string, string>> entries)
        : this(Copy(entries))
    {
    }

    private EsiEnvironment(List<KeyValuePair<string, string>> entries) => _entries = entries;

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>The entry at <paramref name="index"/>.</summary>
    /// <param name="index">Position in the list.</param>
    public KeyValuePair<string, string> this[int index] => _entries[index];

    /// <summary>The value of <paramref name="key"/>, or null when there is no such entry.</summary>
    /// <param name="key">A key such as <c>"request_method"</c> or <c>"http_content_type"</c>.</param>
    public string? this[string key] => TryGetValue(key, out string? value) ? value : null;

    /// <summary>Finds the value of <paramref name="key"/> (ordinal comparison; keys are lower-case).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, or null when absent.</param>
    /// <returns>Whether the entry exists.</returns>
    public bool TryGetValue(string key, out string? value)
    {
        foreach (KeyValuePair<string, string> entry in _entries)
        {
            if (string.Equals(entry.Key, key, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The value of the <c>http_&lt;name&gt;</c> entry for a request header, or null.</summary>
    /// <param name="headerName">A header name in any case, e.g. <c>"Content-Type"</c>.</param>
    public string? Header(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        return this[HeaderKey(headerName)];
    }

    /// <summary>The entry key for a request header: <c>http_</c>, the name lower-cased, <c>-</c> as <c>_</c>.</summary>
    /// <param name="headerName">The header name.</param>
    public static string HeaderKey(string headerName)
    {
        ArgumentNullException.ThrowIfNull(headerName);
        return string.Create(HeaderPrefix.Length + headerName.Length, headerName, static (destination, name) =>
        {
            HeaderPrefix.AsSpan().CopyTo(destination);
            Span<char> rest = destination[HeaderPrefix.Length..];
            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                rest[i] = c == '-' ? '_' : char.ToLowerInvariant(c);
            }
        });
    }

    /// <summary>The entries in order.</summary>
    public IEnumerator<KeyValuePair<string, string>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Wraps the list the router filled for one request, without copying it.</summary>
    internal static EsiEnvironment Adopt(List<KeyValuePair<string, string>> entries) => new(entries);

    private static List<KeyValuePair<string, string>> Copy(IEnumerable<KeyValuePair<string, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return [.. entries];
    }
}
