namespace Moonbridge.Net.Http.Internal;

internal sealed partial class HttpConnection
{
    /// <summary>The token of the exchange in progress (<see cref="HttpRequest.Aborted"/>); none before the first handler runs.</summary>
    internal CancellationToken RequestAborted => _responseDeadline?.Token ?? CancellationToken.None;

    /// <summary>
    /// The connection's response deadline, created with its first handler call. Its token also fires when the
    /// client goes away: the socket layer reports the end of input even while nobody reads, so a handler
    /// waiting on something else (an operation, a progress stream) learns it at once and frees its worker.
    /// One registration per connection, none per request.
    /// </summary>
    private ResponseDeadline CreateResponseDeadline(CancellationToken cancellationToken)
    {
        var deadline = new ResponseDeadline(this, _context.Options.ResponseTimeout, cancellationToken);
        _io.OnPeerClosed(static state => ((ResponseDeadline)state!).OnClientGone(), deadline);
        return deadline;
    }
}
