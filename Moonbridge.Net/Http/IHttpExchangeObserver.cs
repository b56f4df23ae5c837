namespace Moonbridge.Net.Http;

/// <summary>
/// Watches one request/response exchange, e.g. for progress tracking; attach it with
/// <see cref="HttpRequest.Observe"/>. Calls come from the connection's receive loop
/// (<see cref="OnBodyReceived"/>) and from the handler's flow (the rest), so implementations must be
/// thread-safe and cheap: they run on the connection's hot path.
/// </summary>
public interface IHttpExchangeObserver
{
    /// <summary>Request body bytes arrived from the client, whether or not the handler has read them yet.</summary>
    /// <param name="bytes">How many arrived since the last call.</param>
    void OnBodyReceived(long bytes);

    /// <summary>The final response head was committed (or the server answered with an error status instead).</summary>
    /// <param name="statusCode">The response's status code.</param>
    /// <param name="contentLength">The announced body length, or null when it is not known in advance.</param>
    void OnResponseStarted(int statusCode, long? contentLength);

    /// <summary>Response bytes were handed to the connection.</summary>
    /// <param name="bytes">How many, head and framing included.</param>
    void OnResponseSent(long bytes);

    /// <summary>The exchange ended; the observer is detached and gets no further calls.</summary>
    /// <param name="completed">False when the exchange was aborted or answered with an error by the server.</param>
    void OnExchangeEnded(bool completed);
}
