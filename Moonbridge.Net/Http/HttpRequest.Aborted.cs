namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
    /// <summary>
    /// Cancelled when the exchange can no longer be answered usefully: the client closed its end of the
    /// connection, the response timeout expired, or the server aborted. It is the token async handlers
    /// receive, here also for blocking handlers and for code that only holds the request.
    /// </summary>
    /// <remarks>
    /// The end of the client's input is noticed while the handler does something else (waits for an
    /// operation, streams events), so a client that gave up frees its worker at once. As in other HTTP/1.1
    /// servers, a FIN counts as leaving: a client that half-closes after its request cannot be told from one
    /// that is gone without writing to it, and HTTP/1.1 clients do not half-close. A handler that ends
    /// because of this token is not an error: the connection is simply dropped.
    /// </remarks>
    public CancellationToken Aborted => Live.RequestAborted;

    /// <summary>Ends the connection at once (a reset), from any thread: library code that must stop an exchange whose reads wait.</summary>
    internal void AbortConnection() => Live.Transport.Abort(System.Net.Sockets.SocketError.ConnectionAborted);
}
