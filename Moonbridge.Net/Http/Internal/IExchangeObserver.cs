namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Watches one request/response exchange, e.g. for progress tracking. Calls come from the connection's
/// receive loop (<see cref="OnBodyReceived"/>) and from the handler's flow (the rest), so implementations
/// must be thread-safe and cheap.
/// </summary>
internal interface IExchangeObserver
{
    /// <summary>Request body bytes arrived from the socket, whether or not the handler has read them yet.</summary>
    void OnBodyReceived(long bytes);

    /// <summary>The final response head was committed.</summary>
    void OnResponseStarted(int statusCode, long? contentLength);

    /// <summary>Response bytes were handed to the connection.</summary>
    void OnResponseSent(long bytes);

    /// <summary>The exchange ended: <paramref name="completed"/> is false when it was aborted.</summary>
    void OnExchangeEnded(bool completed);
}
