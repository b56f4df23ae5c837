namespace Moonbridge.Net.Http;

/// <summary>Lua <c>request.headers_csv_table</c>: <c>view[name]</c> lists the comma-separated elements.</summary>
public readonly struct HeadersCsvTableView
{
    private readonly RequestHeaders _headers;

    internal HeadersCsvTableView(RequestHeaders headers) => _headers = headers;

    /// <summary>The comma-separated elements of every value of <paramref name="name"/>.</summary>
    /// <param name="name">Header name, any case.</param>
    public IReadOnlyList<string> this[string name] => _headers.GetCsvList(name);
}

/// <summary>Lua <c>request.headers_csv_string</c>: <c>view[name]</c> joins the values with <c>", "</c>.</summary>
public readonly struct HeadersCsvStringView
{
    private readonly RequestHeaders _headers;

    internal HeadersCsvStringView(RequestHeaders headers) => _headers = headers;

    /// <summary>The values of <paramref name="name"/> joined, or null when absent.</summary>
    /// <param name="name">Header name, any case.</param>
    public string? this[string name] => _headers.GetCsvString(name);
}

/// <summary>Lua <c>request.headers_value</c>: <c>view[name]</c> is the single value, absent or ambiguous.</summary>
public readonly struct HeadersValueView
{
    private readonly RequestHeaders _headers;

    internal HeadersValueView(RequestHeaders headers) => _headers = headers;

    /// <summary>The single value of <paramref name="name"/>.</summary>
    /// <param name="name">Header name, any case.</param>
    public HeaderValue this[string name] => _headers.GetValue(name);
}

/// <summary>Lua <c>request.headers_flags</c>: <c>view[name, token]</c> tells whether the token occurs.</summary>
public readonly struct HeadersFlagsView
{
    private readonly RequestHeaders _headers;

    internal HeadersFlagsView(RequestHeaders headers) => _headers = headers;

    /// <summary>Whether <paramref name="token"/> is among the comma-separated elements of <paramref name="name"/>.</summary>
    /// <param name="name">Header name, any case.</param>
    /// <param name="token">Token, any case.</param>
    public bool this[string name, string token] => _headers.HasFlag(name, token);
}
