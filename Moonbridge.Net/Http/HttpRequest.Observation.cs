namespace Moonbridge.Net.Http;

/// <summary>Watching the exchange from outside the handler's own calls (progress tracking).</summary>
public sealed partial class HttpRequest
{
    /// <summary>
    /// Attaches <paramref name="observer"/> to this exchange until it ends: request body bytes are reported as
    /// they arrive (a Content-Length body as the client sends it, a chunked body as it is decoded), and the
    /// response's start, bytes and end. One observer per exchange.
    /// </summary>
    /// <param name="observer">The observer; see <see cref="IHttpExchangeObserver"/> for the threads it is called on.</param>
    /// <exception cref="InvalidOperationException">The exchange already has an observer.</exception>
    public void Observe(IHttpExchangeObserver observer)
        => Live.Observation.Attach(observer, BodyReader.IsComplete, BodyReader.Remaining, BodyReader.Consumed);

    /// <summary>
    /// Sends <c>102 Processing</c> with a <c>Progress: received/size</c> header while the body is read, at most
    /// once per <paramref name="interval"/> (draft-wright-http-progress, for clients that asked with
    /// <c>Prefer: processing</c>), counting what <see cref="Observe"/> counts. Never to HTTP/1.0 clients,
    /// never after the response began; ends with the exchange.
    /// </summary>
    /// <param name="interval">The shortest time between two interim responses.</param>
    public void EnableInterimProgress(TimeSpan interval) => Live.Observation.EnableInterimProgress(interval);
}
