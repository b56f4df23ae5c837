using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// One HTTP/1.1 connection: reads request heads, runs the handler for each, completes its response, drains what it
/// left unread, keeps the connection or closes it. It owns the exchange's parts and the <see cref="HttpRequest"/>
/// facade over them, talks to the connection only through its <see cref="IConnectionTransport"/>, on the pool's
/// clock. Generic over an <see cref="ITransportWaiter"/>: with the blocking waiter nothing awaits an incomplete task,
/// so a blocking handler's connection runs entirely on its worker thread.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "RunAsync disposes the deadlines when the connection ends.")]
internal sealed partial class Http1Connection
{
    private readonly IConnectionTransport _transport;
    private readonly HttpServerContext _context;
    private readonly HttpHeadParser _parser;
    private readonly HttpRequestHead _head = new();
    private readonly HttpRequest _request;
    private readonly RequestBodyReader _body;
    private readonly ResponseWriter _response;
    private readonly ExchangeObservation _observation;
    private readonly HttpRequestHandler? _handler;
    private readonly AsyncHttpRequestHandler? _asyncHandler;
    private readonly CancellationToken _stopping;
    private readonly Server.Internal.WorkerParking? _parking;
    private readonly IdleRest _rest;

    /// <summary>The connection's clock (the pool's <see cref="Server.ListenOptions.TimeProvider"/>): every deadline and measured wait of the connection runs on it.</summary>
    private readonly TimeProvider _time;
    private readonly ResponsePacing _pacing;

    /// <summary>Whether every handler on the current worker asked to keep it (reset when the connection parks and so leaves that worker).</summary>
    private bool _keepWorker = true;
    private ResponseDeadline? _responseDeadline;
    private ConnectionTelemetry? _telemetry; // made only once someone listens

    public Http1Connection(MoonSocket socket, HttpServerContext context, HttpRequestHandler? handler = null, AsyncHttpRequestHandler? asyncHandler = null)
    {
        _transport = socket.Connection ?? throw new InvalidOperationException("An HTTP handler needs a socket with a connection; interval and main listeners have none.");
        _context = context;
        _handler = handler;
        _asyncHandler = asyncHandler;
        _parser = new HttpHeadParser(context.Limits);
        _stopping = Server.MoonbridgeServer.StopRequested;
        Server.Internal.HandlerScope? scope = Server.Internal.HandlerScope.Current;
        _parking = scope?.Parking;
        _rest = new IdleRest(scope, context.Options.IdleRestDelay);
        _time = scope?.TimeProvider ?? TimeProvider.System;
        _waits = new Deadline(_time);
        _pacing = new ResponsePacing(_waits, _time, context.Options);
        _observation = new ExchangeObservation(_transport, _head, _time);
        _response = new ResponseWriter(this, _head, context, _observation, _stopping);
        _body = new RequestBodyReader(this, _head, context, _response, _observation);
        _request = new HttpRequest(this, socket);
    }

    internal HttpServerContext Context => _context;

    internal IConnectionTransport Transport => _transport;

    internal TimeProvider Time => _time;

    /// <summary>The request head the parser fills (benchmarks parse into it directly).</summary>
    internal HttpRequestHead Head => _head;

    internal HttpRequest Request => _request;

    internal RequestBodyReader Body => _body;

    internal ResponseWriter Response => _response;

    internal ExchangeObservation Observation => _observation;

    /// <summary>The token of the exchange in progress (<see cref="HttpRequest.Aborted"/>); none before the first handler runs.</summary>
    internal CancellationToken RequestAborted => _responseDeadline?.Token ?? CancellationToken.None;

    /// <summary>Serves requests until the connection ends; returns whether every handler asked to keep the worker.</summary>
    public async ValueTask<bool> RunAsync<TWaiter>(CancellationToken cancellationToken)
        where TWaiter : struct, ITransportWaiter
    {
        // A graceful server stop ends the wait for a next request at once; an exchange in progress completes.
        using CancellationTokenRegistration stopping = _stopping.UnsafeRegister(static state => ((Http1Connection)state!).CancelIdleWait(), this);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // The head is not reset here: the parser resets and fills it when a head is complete, and nothing
                // reads it before then.
                _parser.Reset();
                long headStarted = 0;
                HeadProgress head;
                do
                {
                    head = WaitsForHead(headStarted, out TimeSpan limit, out TimeSpan restAfter)
                        ? TakeHeadInput(await ReadInputAsync<TWaiter>(limit).ConfigureAwait(false), ref headStarted, restAfter)
                        : HeadProgress.Ended;
                }
                while (head == HeadProgress.NeedsInput);

                if (head != HeadProgress.Complete)
                {
                    break;
                }

                BeginExchange();
                bool keep = await RunHandlerAsync<TWaiter>(cancellationToken).ConfigureAwait(false);
                _keepWorker &= keep;
                if (!await CompleteExchangeAsync<TWaiter>().ConfigureAwait(false))
                {
                    break;
                }
            }

            // Responses held back for a batch when the client's end of input was already buffered.
            if (await TryFlushOutputAsync<TWaiter>().ConfigureAwait(false) != OutputFlush.Done)
            {
                Abort();
            }
        }
        catch (BadHttpRequestException e)
        {
            await RejectAsync<TWaiter>(e.StatusCode, e.Reason).ConfigureAwait(false);
        }
        catch (HttpStatusException e) when (!_response.Started && !_transport.HasFailed)
        {
            await RejectAsync<TWaiter>(e.StatusCode, e.Reason).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionAbortedException or HttpStatusException or OperationCanceledException or ObjectDisposedException
            || (e is IOException && _transport.HasFailed))
        {
            // The client went away or stalled mid-exchange, or the exchange was aborted: nothing more can be said
            // to it. An IOException counts only once the transport failed: that is the handler meeting the broken
            // connection (the public API's word for it), not a failure of its own.
            _telemetry?.End(_response.FinalStatusCode, e.GetType().FullName);
            Abort();
        }
        finally
        {
            _telemetry?.End(_response.FinalStatusCode, "aborted");
            _observation.End(completed: false);
            _response.ReleaseBuffers();
            _waits.Dispose();
            _responseDeadline?.Dispose();
        }

        return _keepWorker;
    }

    /// <summary>Answers a rejected request with its status and closes the connection.</summary>
    private ValueTask RejectAsync<TWaiter>(int statusCode, string? reason)
        where TWaiter : struct, ITransportWaiter
    {
        _observation.End(completed: false, statusCode);
        _telemetry?.End(statusCode);
        HttpLog.RequestRejected(_context.Logger, statusCode, reason ?? string.Empty);
        return SendErrorAndCloseAsync<TWaiter>(statusCode, reason);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> RunHandlerAsync<TWaiter>(CancellationToken cancellationToken)
        where TWaiter : struct, ITransportWaiter
    {
        ResponseDeadline response = _responseDeadline ??= ResponseDeadline.Watch(_transport, _time, _context.Options.ResponseTimeout, cancellationToken);
        CancellationToken token = response.Start();
        try
        {
            bool keep = _asyncHandler is not null
                ? await _asyncHandler(_request, token).ConfigureAwait(false)
                : _handler!(_request);
            response.Stop();
            if (response.Expired)
            {
                throw new ConnectionAbortedException("The response timeout expired.");
            }

            return keep;
        }
        catch (Exception e) when (response.StopExpired())
        {
            HttpLog.ResponseTimedOut(_context.Logger, _head.Method, e);
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
        catch (HttpStatusException e) when (CanAnswerErrorInPlace)
        {
            // An ordinary refusal (a 404 for an unknown resource) with the request's framing intact: the
            // connection is as sound as after any response, so it is answered in place and kept.
            HttpLog.RequestRejected(_context.Logger, e.StatusCode, e.Reason ?? string.Empty);
            await _response.AnswerErrorInPlaceAsync<TWaiter>(e.StatusCode, e.Reason, _body.TooLargeToDrain).ConfigureAwait(false);
            return true;
        }
        catch (HttpStatusException) when (!_response.Started && !_transport.HasFailed)
        {
            throw;
        }
        catch (BadHttpRequestException e) when (_response.Started)
        {
            // The body turned out malformed after part of the response went out: an error response
            // would land inside it, so the only honest end is an abort.
            throw new ConnectionAbortedException("The request body was rejected after the response began.", e);
        }
        catch (Exception e) when (e is not BadHttpRequestException && !_transport.HasFailed)
        {
            HttpLog.HandlerFailed(_context.Logger, _head.Method, _head.Target, e);
            if (_response.StatusSent)
            {
                // The handler had answered (or begun to): an error response now would contradict it, so,
                // as the specification asks, the connection is aborted.
                throw new ConnectionAbortedException("The handler failed after sending a status.", e);
            }

            throw new BadHttpRequestException(RequestRejectionReason.HandlerFailed);
        }
    }

    /// <summary>
    /// Whether a handler's <see cref="HttpStatusException"/> can be answered like any response: nothing of a
    /// response went out, and the body's framing is intact, so the connection can go on as after any
    /// response (what is left of the body drained within <see cref="HttpOptions.RequestBodyDrainLimit"/>, else
    /// closed). A body whose reading failed (too slow, cut short, malformed) leaves where the next request
    /// begins in doubt: that is answered by the connection, which then closes.
    /// </summary>
    private bool CanAnswerErrorInPlace => !_response.Started && !_transport.HasFailed && !_body.ReadFailed;

    internal void Abort()
    {
        if (!_transport.IsClosed)
        {
            _transport.Abort(System.Net.Sockets.SocketError.ConnectionAborted);
        }
    }
}
