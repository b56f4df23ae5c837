using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// One HTTP/1.1 connection: reads request heads, runs the handler for each, completes its response,
/// drains what it left unread, and keeps the connection alive or closes it. Written once with a
/// <c>bool async</c> flag (the runtime's <c>FillAsync(bool async)</c> idiom): with <c>async: false</c>
/// nothing awaits an incomplete task, so a blocking handler's connection runs entirely on its worker thread.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "RunAsync disposes the timeout source when the connection ends.")]
internal sealed partial class HttpConnection
{
    private readonly MoonSocket _socket;
    private readonly IConnectionTransport _io;
    private readonly HttpServerContext _context;
    private readonly HttpHeadParser _parser;
    private readonly HttpRequestHead _head = new();
    private readonly HttpRequest _request;
    private readonly CancellationToken _stopping;
    private readonly Server.Internal.WorkerParking? _parking;

    /// <summary>Whether every handler on the current worker asked to keep it (reset when the connection parks and so leaves that worker).</summary>
    private bool _keepWorker = true;
    private CancellationTokenSource _timeout = new();
    private ResponseDeadline? _responseDeadline;

    public HttpConnection(MoonSocket socket, HttpServerContext context)
    {
        _socket = socket;
        _io = socket.Connection ?? throw new InvalidOperationException("An HTTP handler needs a socket with a connection; interval and main listeners have none.");
        _context = context;
        _parser = new HttpHeadParser(context.Limits);
        _request = new HttpRequest(this, socket, _head, context);
        _stopping = Server.MoonbridgeServer.StopRequested;
        _parking = Server.Internal.HandlerScope.Current?.Parking;
    }

    internal HttpServerContext Context => _context;

    internal IConnectionTransport Transport => _io;


    /// <summary>Serves requests until the connection ends; returns whether every handler asked to keep the worker.</summary>
    public async ValueTask<bool> RunAsync(bool async, HttpRequestHandler? handler, AsyncHttpRequestHandler? asyncHandler, CancellationToken cancellationToken)
    {
        // A graceful server stop ends the wait for a next request at once; an exchange in progress completes.
        using CancellationTokenRegistration stopping = _stopping.UnsafeRegister(static state => ((HttpConnection)state!).CancelIdleWait(), this);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await ReadHeadAsync(async).ConfigureAwait(false))
                {
                    break;
                }

                _request.Begin();
                bool keep = await RunHandlerAsync(async, handler, asyncHandler, cancellationToken).ConfigureAwait(false);
                _keepWorker &= keep;
                if (!await _request.CompleteExchangeAsync(async).ConfigureAwait(false))
                {
                    break;
                }
            }

            // Responses held back for a batch when the client's end of input was already buffered.
            await FlushOutputAsync(async).ConfigureAwait(false);
        }
        catch (HttpParseException e)
        {
            _request.EndObservation(completed: false, e.StatusCode);
            HttpLog.RequestRejected(_context.Logger, e.StatusCode, e.Reason);
            await SendErrorAndCloseAsync(async, e.StatusCode, e.Reason).ConfigureAwait(false);
        }
        catch (HttpStatusException e) when (!_request.ResponseStarted && !_request.Faulty)
        {
            _request.EndObservation(completed: false, e.StatusCode);
            HttpLog.RequestRejected(_context.Logger, e.StatusCode, e.Reason ?? string.Empty);
            await SendErrorAndCloseAsync(async, e.StatusCode, e.Reason).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpStatusException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or stalled mid-exchange: nothing more can be said to it.
            Abort();
        }
        finally
        {
            _request.EndObservation(completed: false);
            _request.ReleaseBuffers();
            _timeout.Dispose();
            _responseDeadline?.Dispose();
        }

        return _keepWorker;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RunHandlerAsync(bool async, HttpRequestHandler? handler, AsyncHttpRequestHandler? asyncHandler, CancellationToken cancellationToken)
    {
        ResponseDeadline response = _responseDeadline ??= CreateResponseDeadline(cancellationToken);
        CancellationToken token = response.Start();
        try
        {
            bool keep = async
                ? await asyncHandler!(_request, token).ConfigureAwait(false)
                : handler!(_request);
            response.Stop();
            if (response.Expired)
            {
                throw new IOException("The response timeout expired.");
            }

            return keep;
        }
        catch (Exception e) when (StopDeadline(response))
        {
            HttpLog.ResponseTimedOut(_context.Logger, _request.Method, e);
            throw new IOException("The response timeout expired.", e);
        }
        catch (OperationCanceledException e) when (response.ClientGone)
        {
            // The handler honoured its token because the client left: nobody is there to answer, nothing failed.
            throw new IOException("The client closed the connection.", e);
        }
        catch (HttpStatusException e) when (_request.CanAnswerErrorInPlace)
        {
            // An ordinary refusal (a 404 for an unknown resource) with the request's framing intact: the
            // connection is as sound as after any response, so it is answered in place and kept.
            HttpLog.RequestRejected(_context.Logger, e.StatusCode, e.Reason ?? string.Empty);
            await _request.AnswerErrorInPlaceAsync(async, e.StatusCode, e.Reason).ConfigureAwait(false);
            return true;
        }
        catch (HttpStatusException) when (!_request.ResponseStarted && !_request.Faulty)
        {
            throw;
        }
        catch (HttpParseException e) when (_request.ResponseStarted)
        {
            // The body turned out malformed after part of the response went out: an error response
            // would land inside it, so the only honest end is an abort.
            throw new IOException("The request body was rejected after the response began.", e);
        }
        catch (Exception e) when (e is not HttpParseException && !_request.Faulty)
        {
            HttpLog.HandlerFailed(_context.Logger, _request.Method, _request.Target, e);
            if (_request.StatusSent)
            {
                // The handler had answered (or begun to): an error response now would contradict it, so,
                // as the specification asks, the connection is aborted.
                throw new IOException("The handler failed after sending a status.", e);
            }

            throw new HttpStatusException(500, "The request handler failed.");
        }
    }

    /// <summary>Disarms the deadline in an exception filter, then tells whether it had expired.</summary>
    private static bool StopDeadline(ResponseDeadline response)
    {
        response.Stop();
        return response.Expired;
    }

    private volatile bool _idleWait;

    private void CancelIdleWait()
    {
        if (_idleWait)
        {
            try
            {
                _timeout.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>Waits for and parses the next request head; false when the connection ended quietly.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadHeadAsync(bool async)
    {
        // The head is not reset here: the parser resets and fills it when a head is complete, and nothing
        // reads it before then.
        _parser.Reset();
        TimeSpan timeout = _context.Options.IdleTimeout;
        long headStarted = 0;
        while (true)
        {
            ReadResult result;
            try
            {
                _idleWait = headStarted == 0;
                if (_idleWait && _stopping.IsCancellationRequested && !HasBufferedInput())
                {
                    return false;
                }

                result = await ReadInputAsync(async, headStarted == 0 ? timeout : Remaining(headStarted, _context.Options.RequestHeaderTimeout)).ConfigureAwait(false);
                _idleWait = false;
            }
            catch (TimeoutException)
            {
                _idleWait = false;
                if (headStarted == 0)
                {
                    // An idle keep-alive connection is closed silently, never with an unsolicited 408.
                    return false;
                }

                throw new HttpParseException(408, "Timeout while receiving headers");
            }

            System.Buffers.ReadOnlySequence<byte> buffer = result.Buffer;
            if (buffer.IsEmpty && result.IsCompleted)
            {
                _io.AdvanceTo(buffer.End);
                return false;
            }

            bool complete;
            SequencePosition consumed;
            try
            {
                complete = _parser.TryParse(buffer, _head, out consumed);
            }
            catch (HttpParseException)
            {
                _io.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }

            if (complete)
            {
                _io.AdvanceTo(consumed);
                return true;
            }

            _io.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                // The client ended mid-head: nothing to answer.
                return false;
            }

            if (headStarted == 0 && !buffer.IsEmpty)
            {
                // The header timeout runs from the first part of an incomplete head; a head that arrives
                // whole in one read never needs the clock.
                headStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            }
        }
    }

    private bool HasBufferedInput()
    {
        if (!_io.TryRead(out ReadResult result))
        {
            return false;
        }

        _io.AdvanceTo(result.Buffer.Start);
        return !result.Buffer.IsEmpty;
    }

    /// <summary>
    /// Reads input without waiting if some is there, else waits up to <paramref name="timeout"/>. Output held
    /// back (responses to pipelined requests go out together) is flushed before any wait: a client is never
    /// kept waiting for a response while the server waits for the client.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ReadResult> ReadInputAsync(bool async, TimeSpan timeout)
    {
        if (_io.TryRead(out ReadResult ready))
        {
            return ready;
        }

        await FlushOutputAsync(async).ConfigureAwait(false);
        if (_io.TryRead(out ready))
        {
            return ready;
        }

        bool parked = false;
        if (_idleWait)
        {
            // Between requests with nothing to do: an idle connection holds no response buffer, and in an
            // async pool no worker either, so silent clients cannot use up MaxFork; it takes one again below.
            _request.ReleaseBuffers();
            if (async && _parking is not null)
            {
                _parking.Park(_keepWorker);
                _keepWorker = true;
                parked = true;
            }
        }

        CancellationToken token = StartTimeout(timeout);
        ReadResult result;
        try
        {
            ValueTask<ReadResult> pending = _io.ReadAsync(token);
            result = async ? await pending.ConfigureAwait(false) : SyncWait.Wait(pending);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            throw new TimeoutException();
        }
        finally
        {
            StopTimeout();
        }

        if (parked && !result.Buffer.IsEmpty)
        {
            await _parking!.UnparkAsync().ConfigureAwait(false);
        }

        return result;
    }

    internal void Abort()
    {
        if (!_io.IsClosed)
        {
            _io.Abort(SocketError.ConnectionAborted);
        }
    }

    private CancellationToken StartTimeout(TimeSpan timeout)
    {
        if (timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            _timeout.CancelAfter(timeout <= TimeSpan.Zero ? TimeSpan.FromTicks(1) : timeout);
        }

        return _timeout.Token;
    }

    private void StopTimeout()
    {
        if (!_timeout.TryReset())
        {
            _timeout.Dispose();
            _timeout = new CancellationTokenSource();
        }
    }

    private static TimeSpan Remaining(long started, TimeSpan limit)
        => limit == System.Threading.Timeout.InfiniteTimeSpan ? limit : limit - System.Diagnostics.Stopwatch.GetElapsedTime(started);
}
