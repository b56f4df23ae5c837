using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Completing an exchange after its handler returned: the response finished, the unread body drained (bounded), and the
/// connection kept or closed.
/// </summary>
internal static class ExchangeCompletion
{
    /// <summary>After the handler returned: finishes the response, then keeps the connection (the unread body drained, bounded) or closes it; true when it stays open.</summary>
    public static ValueTask<bool> RunAsync<TWaiter>(Http1Connection connection)
        where TWaiter : struct, ITransportWaiter
    {
        if (!connection.Response.StatusSent)
        {
            // A handler that passed its connection on (a hand-off) or closed it leaves nothing to answer here.
            if (!connection.Transport.IsClosed)
            {
                return ValueTask.FromException<bool>(new BadHttpRequestException(RequestRejectionReason.NoStatus));
            }

            connection.EndExchangeUnanswered();
            return new ValueTask<bool>(false);
        }

        // The common exchange (a response already framed, no body left, the connection kept) completes without an
        // async method; anything that has to wait continues in one.
        ValueTask finish = connection.Response.FinishAsync<TWaiter>(flush: false);
        if (!finish.IsCompletedSuccessfully)
        {
            return FinishThenKeepAsync<TWaiter>(connection, finish);
        }

        finish.GetAwaiter().GetResult();
        connection.EndExchange();
        return !connection.Response.CloseAfter && connection.Body.IsComplete ? new ValueTask<bool>(true) : KeepOrCloseAsync<TWaiter>(connection);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> FinishThenKeepAsync<TWaiter>(Http1Connection connection, ValueTask finish)
        where TWaiter : struct, ITransportWaiter
    {
        try
        {
            await finish.ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // The handler returned a response that cannot be completed (fewer bytes than its Content-Length):
            // the head is out, so as for any handler failure after that, the connection is aborted.
            HttpLog.HandlerFailed(connection.Context.Logger, connection.Head.Method, connection.Head.Target, e);
            throw new ConnectionAbortedException("The response could not be completed.", e);
        }

        connection.EndExchange();
        return await KeepOrCloseAsync<TWaiter>(connection).ConfigureAwait(false);
    }

    /// <summary>Drains the unread body (bounded) and keeps the connection, or closes it; true when it stays open.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> KeepOrCloseAsync<TWaiter>(Http1Connection connection)
        where TWaiter : struct, ITransportWaiter
    {
        bool close = connection.Response.CloseAfter || !await connection.Body.DrainAsync<TWaiter>().ConfigureAwait(false);
        if (close)
        {
            await ConnectionClose.AfterExchangeAsync<TWaiter>(connection).ConfigureAwait(false);
            return false;
        }

        return true;
    }
}
