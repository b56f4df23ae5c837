using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>The two ends of an exchange around the handler call: resetting its parts, and completing it (drain, keep or close).</summary>
internal sealed partial class Http1Connection
{
    /// <summary>Prepares the exchange's parts for the request whose head was just parsed.</summary>
    internal void BeginExchange()
    {
        Observation.End(completed: false);
        _pacing.Reset();
        _response.Reset();
        Body.Reset();
        Request.Reset();
        ConnectionTelemetry.Begin(ref _telemetry, _head, Request.Socket);
    }

    /// <summary>After the handler returned: finishes the response, then keeps the connection (the unread body drained, bounded) or closes it; true when it stays open.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<bool> CompleteExchangeAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        if (!_response.StatusSent)
        {
            // A handler that passed its connection on (a hand-off) or closed it leaves nothing to answer here.
            if (!_transport.IsClosed)
            {
                throw new BadHttpRequestException(RequestRejectionReason.NoStatus);
            }

            _telemetry?.End(0);
            return false;
        }

        try
        {
            await _response.FinishAsync<TWaiter>(flush: false).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // The handler returned a response that cannot be completed (fewer bytes than its Content-Length):
            // the head is out, so as for any handler failure after that, the connection is aborted.
            HttpLog.HandlerFailed(Context.Logger, _head.Method, _head.Target, e);
            throw new ConnectionAbortedException("The response could not be completed.", e);
        }

        _transport.MarkOutputBoundary();
        Observation.End(completed: true);
        _telemetry?.End(_response.FinalStatusCode);
        bool close = _response.CloseAfter || !await Body.DrainAsync<TWaiter>().ConfigureAwait(false);
        if (close)
        {
            await ConnectionClose.AfterExchangeAsync<TWaiter>(this).ConfigureAwait(false);
            return false;
        }

        return true;
    }
}
