using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// One handler call of an exchange, under the connection's response deadline, and what each way it can fail means for
/// the connection: answered in place and kept, answered and closed, or aborted.
/// </summary>
internal static class HandlerCall
{
    /// <summary>Runs the handler for the exchange in progress; returns whether it asked to keep its worker.</summary>
    public static ValueTask<bool> RunAsync<TWaiter>(Http1Connection connection, CancellationToken cancellationToken)
        where TWaiter : struct, ITransportWaiter
    {
        ResponseDeadline response = connection.WatchResponse(cancellationToken);
        if (connection.HandlerBlocks)
        {
            SendHeldOutput(connection);
        }

        ValueTask<bool> call;
        try
        {
            call = connection.CallHandler(response.Start());
        }
        catch (Exception e)
        {
            // A handler that throws before its first await (or a blocking one) fails like one that throws later.
            call = ValueTask.FromException<bool>(e);
        }

        if (!call.IsCompleted)
        {
            SendHeldOutput(connection);
        }

        // A handler that answered without waiting (most answers from memory, every pipelined one of them) costs no
        // async method here; anything else (a wait, a failure, an expired deadline) is judged below.
        return call.IsCompletedSuccessfully && !response.StopExpired()
            ? new ValueTask<bool>(call.Result)
            : CompleteAsync<TWaiter>(connection, response, call);
    }

    /// <summary>
    /// Before a handler that may take long (a blocking one, or one that waits for something other than its client), the
    /// output held back for a batch (the responses to pipelined requests before it) goes to the kernel without waiting:
    /// it must never wait for a later request's handler.
    /// </summary>
    private static void SendHeldOutput(Http1Connection connection) => connection.Transport.Write(ReadOnlySpan<byte>.Empty, flush: true);

    /// <summary>Waits for the handler call and tells what its outcome means for the connection.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<bool> CompleteAsync<TWaiter>(Http1Connection connection, ResponseDeadline response, ValueTask<bool> call)
        where TWaiter : struct, ITransportWaiter
    {
        try
        {
            bool keep = await call.ConfigureAwait(false);
            response.Stop();
            if (response.Expired)
            {
                throw new ConnectionAbortedException("The response timeout expired.");
            }

            return keep;
        }
        catch (Exception e) when (response.StopExpired())
        {
            HttpLog.ResponseTimedOut(connection.Context.Logger, connection.Head.Method, e);
            throw new ConnectionAbortedException("The response timeout expired.", e);
        }
        catch (ConnectionAbortedException)
        {
            // Library code inside the handler ended the exchange on purpose (a newer request took its upload over).
            throw;
        }
        catch (OperationCanceledException e) when (response.ClientGone)
        {
            // The handler honoured its token because the client left: nobody is there to answer, nothing failed.
            throw new ConnectionAbortedException("The client closed the connection.", e);
        }
        catch (HttpStatusException e) when (connection.CanAnswerErrorInPlace)
        {
            // An ordinary refusal (a 404 for an unknown resource) with the request's framing intact: the
            // connection is as sound as after any response, so it is answered in place and kept.
            HttpLog.RequestRejected(connection.Context.Logger, e.StatusCode, e.Reason ?? string.Empty);
            await connection.Response.AnswerErrorInPlaceAsync<TWaiter>(e.StatusCode, e.Reason, connection.Body.TooLargeToDrain).ConfigureAwait(false);
            return true;
        }
        catch (HttpStatusException) when (!connection.Response.Started && !connection.Transport.HasFailed)
        {
            throw;
        }
        catch (BadHttpRequestException e) when (connection.Response.Started)
        {
            // The body turned out malformed after part of the response went out: an error response
            // would land inside it, so the only honest end is an abort.
            throw new ConnectionAbortedException("The request body was rejected after the response began.", e);
        }
        catch (Exception e) when (e is not BadHttpRequestException && !connection.Transport.HasFailed)
        {
            HttpLog.HandlerFailed(connection.Context.Logger, connection.Head.Method, connection.Head.Target, e);
            if (connection.Response.StatusSent)
            {
                // The handler had answered (or begun to): an error response now would contradict it, so,
                // as the specification asks, the connection is aborted.
                throw new ConnectionAbortedException("The handler failed after sending a status.", e);
            }

            throw new BadHttpRequestException(RequestRejectionReason.HandlerFailed);
        }
    }
}
