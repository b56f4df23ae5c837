using Moonbridge.Net.Http.Forms;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Http;

/// <summary>
/// The Moonbridge request object (Lua <c>request</c>): what the client asked for, its headers,
/// parameters, cookies and body, and the methods that send the response. One object serves every
/// request of a connection in turn; do not keep it after the handler returns: once its connection has
/// ended, every member but <see cref="Socket"/> throws <see cref="ObjectDisposedException"/>, since the
/// connection's state then serves another connection.
/// </summary>
/// <remarks>
/// Members that read the body (<see cref="Body"/>, <see cref="PostParams"/>, <see cref="ProcessRequestBody"/>)
/// block until the body has arrived; async handlers call <see cref="ReadBodyAsync(CancellationToken)"/> or
/// <see cref="ProcessRequestBodyAsync"/> first. Misuse (a second status, headers after the body began)
/// throws <see cref="InvalidOperationException"/>; a broken connection throws <see cref="IOException"/>.
/// </remarks>
public sealed partial class HttpRequest
{
    private readonly Http1Connection _connection;
    private readonly int _binding;
    private FormParameters? _getParams;
    private Dictionary<string, string>? _cookies;

    internal HttpRequest(Http1Connection connection, MoonSocket socket)
    {
        _connection = connection;
        _binding = connection.Binding;
        Socket = socket;
    }

    /// <summary>
    /// The connection's parts while they serve this request's connection. They serve the next connection of the event
    /// loop once this one ended, so a request kept past that (in a task the handler left running) must not reach them.
    /// </summary>
    private Http1Connection Live => _connection.Binding == _binding ? _connection : throw Ended();

    private HttpRequestHead Head => Live.Head;

    private RequestBodyReader BodyReader => Live.Body;

    private ResponseWriter Response => Live.Response;

    private FormReader Form => Live.Form;

    private static ObjectDisposedException Ended()
        => new(nameof(HttpRequest), "The request's connection has ended; a request object serves only while its handler runs.");

    /// <summary>The request method, e.g. <c>"GET"</c> (Lua <c>request.method</c>).</summary>
    public string Method => Head.Method;

    /// <summary>
    /// The path without its leading slash and without the query, not percent-decoded, e.g.
    /// <c>"index.html"</c> for <c>/index.html?a=b</c> (Lua <c>request.path</c>); null only for <c>OPTIONS *</c>.
    /// </summary>
    public string? Path => Head.Path;

    /// <summary>The query with its leading <c>?</c>, or empty (Lua <c>request.query</c>); null only for <c>OPTIONS *</c>.</summary>
    public string? Query => Head.Query;

    /// <summary>The request target exactly as sent.</summary>
    public string Target => Head.Target;

    /// <summary>The host the request is for: from an absolute-form target, else the Host header (Lua <c>request.host</c>).</summary>
    public string Host => Head.Host;

    /// <summary>
    /// The client's protocol version: <c>"HTTP/1.1"</c> or <c>"HTTP/1.0"</c>; a later HTTP/1 minor version
    /// (<c>HTTP/1.2</c>) is served as, and reads as, <c>"HTTP/1.1"</c>.
    /// </summary>
    public string Version => Head.Version == HttpVersion.Http10 ? "HTTP/1.0" : "HTTP/1.1";

    /// <summary>The underlying socket (Lua <c>request.socket</c>), e.g. to reset the connection.</summary>
    public MoonSocket Socket { get; }

    /// <summary>Header values by name, case-insensitively, one per field line (Lua <c>request.headers</c>).</summary>
    public RequestHeaders Headers => Live.Headers;

    /// <summary>Comma-separated header elements by name (Lua <c>request.headers_csv_table</c>).</summary>
    public HeadersCsvTableView HeadersCsvTable => new(Live.Headers);

    /// <summary>Header values joined with <c>", "</c> (Lua <c>request.headers_csv_string</c>).</summary>
    public HeadersCsvStringView HeadersCsvString => new(Live.Headers);

    /// <summary>A header's single value, telling absent from ambiguous (Lua <c>request.headers_value</c>).</summary>
    public HeadersValueView HeadersValue => new(Live.Headers);

    /// <summary>Whether a token occurs in a header (Lua <c>request.headers_flags</c>).</summary>
    public HeadersFlagsView HeadersFlags => new(Live.Headers);

    /// <summary>
    /// The cookies the client sent (Lua <c>request.cookies</c>). Values may contain <c>=</c> and are not
    /// decoded; when a name repeats, the first value is kept.
    /// </summary>
    public IReadOnlyDictionary<string, string> Cookies
    {
        get
        {
            if (_cookies is null)
            {
                _cookies = new Dictionary<string, string>(StringComparer.Ordinal);
                CookieParser.Parse(Live.Headers["Cookie"], _cookies);
            }

            return _cookies;
        }
    }

    /// <summary>The query's parameters (Lua <c>request.get_params</c>: <c>GetParams[name]</c> is the first value).</summary>
    public FormParameters GetParams
    {
        get
        {
            if (_getParams is null)
            {
                _getParams = new FormParameters();
                QueryStringParser.Parse(Query ?? string.Empty, _getParams);
            }

            return _getParams;
        }
    }

    /// <summary>Every value of each query parameter (Lua <c>request.get_params_list</c>).</summary>
    public FormParameterLists GetParamsList => new(GetParams);

    /// <summary>True until a status was sent, body input was read, or a body streamer was installed (Lua <c>request.fresh</c>).</summary>
    public bool Fresh => !(Response.Touched || BodyReader.Touched || Form.Touched);

    /// <summary>
    /// True once reading from or writing to the client failed (Lua <c>request.faulty</c>); the request must not
    /// be used further: its response methods and body reads then throw <see cref="IOException"/>.
    /// </summary>
    public bool Faulty => Live.Transport.HasFailed;

    /// <summary>Forgets what the previous request of the connection computed (its parts reset themselves).</summary>
    internal void Reset()
    {
        _getParams = null;
        _cookies = null;
        Form.Reset();
    }
}
