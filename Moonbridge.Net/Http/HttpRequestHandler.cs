namespace Moonbridge.Net.Http;

/// <summary>
/// A blocking HTTP handler (Lua: the callback given to <c>generate_handler</c>). It runs on its
/// worker's thread. Return true to keep the worker for further connections, as a Lua handler does.
/// </summary>
/// <param name="request">The request, also used to send the response.</param>
public delegate bool HttpRequestHandler(HttpRequest request);

/// <summary>An async HTTP handler. Return true to keep the worker.</summary>
/// <param name="request">The request, also used to send the response.</param>
/// <param name="cancellationToken">Cancelled when the response timeout expires or the server aborts the connection.</param>
public delegate ValueTask<bool> AsyncHttpRequestHandler(HttpRequest request, CancellationToken cancellationToken);
