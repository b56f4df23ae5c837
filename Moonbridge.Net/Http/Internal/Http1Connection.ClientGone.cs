namespace Moonbridge.Net.Http.Internal;

internal sealed partial class Http1Connection
{
    /// <summary>The token of the exchange in progress (<see cref="HttpRequest.Aborted"/>); none before the first handler runs.</summary>
    internal CancellationToken RequestAborted => _responseDeadline?.Token ?? CancellationToken.None;

    /// <summary>
    /// The connection's response deadline, created with its first handler call. Its token also fires when the
    /// client goes away: the transport reports the end of input even while nobody reads, so a handler
    /// waiting on something else (an operation, a progress stream) learns it at once and frees its worker.
    /// One registration per connection, none per request.
    /// </summary>
    private ResponseDeadline CreateResponseDeadline(CancellationToken cancellationToken)
    {
        var deadline = new ResponseDeadline(_transport, _context.Options.ResponseTimeout, cancellationToken);
        _transport.OnPeerClosed(static state => ((ResponseDeadline)state!).OnClientGone(), deadline);
        return deadline;
    }
}
