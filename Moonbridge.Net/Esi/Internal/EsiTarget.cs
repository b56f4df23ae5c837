namespace Moonbridge.Net.Esi.Internal;

/// <summary>One resolved ESI URL: the function to call and the parts of the URI its environment reports.</summary>
internal readonly record struct EsiTarget(
    EsiHandler Handler,
    string Module,
    string Function,
    string? PathInfo,
    string? Query,
    string ScriptName,
    string Method)
{
    /// <summary>The module and function as they appear in URLs and log messages.</summary>
    public string Script => $"{Module}/{Function}";

    /// <summary>
    /// Whether the input is the request body. For the methods mod_esi treats as bodiless (GET, HEAD, DELETE, and
    /// OPTIONS and TRACE here) the input is the query string, or else the path info, as in mod_esi.
    /// </summary>
    public bool ReadsBody => Method is not ("GET" or "HEAD" or "DELETE" or "OPTIONS" or "TRACE");
}
