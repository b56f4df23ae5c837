using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

/// <summary>
/// The end of an exchange: finishing with a trailer, answering a handler's status exception in place, and completing the exchange (drain, keep or close).
/// </summary>
public sealed partial class HttpRequest
{
    /// <summary>
    /// Completes a chunked response with one trailer field, so a client can learn that the body it got may be
    /// incomplete (the ESI layer's <c>Warning</c> after a script failed or timed out mid-stream). Responses
    /// framed otherwise finish as <see cref="FinishAsync"/> does: they have no place for a trailer.
    /// </summary>
    internal async ValueTask FinishWithTrailerAsync(string name, string value)
    {
        HeaderValidation.ThrowIfInvalid(name, value);
        if (_state != ResponseState.Committed || !_chunked)
        {
            await FinishCoreAsync(async: true, flush: true).ConfigureAwait(false);
            return;
        }

        if (_gathered.WrittenCount > 0)
        {
            await EmitChunkAsync(async: true).ConfigureAwait(false);
        }

        PooledBufferWriter last = _out;
        last.Clear();
        last.Write("0\r\n"u8);
        last.WriteLatin1(name);
        last.Write(": "u8);
        last.WriteLatin1(value);
        last.Write("\r\n\r\n"u8);
        _state = ResponseState.Finished;
        ObserveSent(last.WrittenCount);
        await _connection.WriteOutputAsync(async: true, last.WrittenSpan).ConfigureAwait(false);
        last.Clear();
        await _connection.FlushOutputAsync(async: true).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a handler's <see cref="HttpStatusException"/> can be answered like any response: nothing of a
    /// response went out, and the body's framing is intact, so the connection can go on as after any
    /// response (what is left of the body drained within <see cref="HttpOptions.RequestBodyDrainLimit"/>, else
    /// closed). A body whose reading failed (too slow, cut short, malformed) leaves where the next request
    /// begins in doubt: that is answered by the connection, which then closes.
    /// </summary>
    internal bool CanAnswerErrorInPlace => !ResponseStarted && !Faulty && !_bodyReadFailed;

    /// <summary>
    /// Replaces whatever the handler had begun (nothing of it was sent) by the server's plain-text error
    /// response; the exchange then completes as usual, so the connection stays open unless something
    /// else (the client, <see cref="CloseAfterFinish"/>, a stopping server, a body too large to drain) closes it.
    /// </summary>
    internal ValueTask AnswerErrorInPlaceAsync(bool async, int statusCode, string? reason)
    {
        _state = ResponseState.NoStatus;
        _gathered.Clear();
        _bodyBytes = 0;
        _dataSent = false;
        if (!_bodyComplete && _head.Framing == BodyFraming.ContentLength && _bodyRemaining > _context.Options.RequestBodyDrainLimit)
        {
            // Too much body left to drain: the connection will close, and the answer says so.
            _closeAfter = true;
        }

        SendStatus(statusCode);
        SendHeader("Content-Type", ErrorResponse.ContentType);
        return SendTextCore(async, ErrorResponse.Body(statusCode, reason));
    }

    /// <summary>
    /// After the handler returned: finishes the response, then either keeps the connection (the unread
    /// body drained, bounded) or closes it gracefully. Returns whether the connection stays open.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<bool> CompleteExchangeAsync(bool async)
    {
        if (_state is ResponseState.NoStatus or ResponseState.InterimStatus)
        {
            throw new HttpStatusException(500, "The request handler did not send a status.");
        }

        try
        {
            await FinishCoreAsync(async, flush: false).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            // The handler returned a response that cannot be completed (fewer bytes than its Content-Length):
            // the head is out, so as for any handler failure after that, the connection is aborted.
            HttpLog.HandlerFailed(_context.Logger, Method, Target, e);
            throw new IOException("The response could not be completed.", e);
        }

        _connection.Transport.MarkOutputBoundary();
        EndObservation(completed: true);
        if (!_closeAfter && !await DrainBodyAsync(async).ConfigureAwait(false))
        {
            _closeAfter = true;
        }

        if (_closeAfter)
        {
            await _connection.CloseGracefullyAsync(async).ConfigureAwait(false);
            return false;
        }

        return true;
    }
}
