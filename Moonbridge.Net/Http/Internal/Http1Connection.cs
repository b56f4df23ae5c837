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
/// so a blocking handler's connection runs entirely on its worker thread. The parts are made once and serve one
/// connection at a time (<see cref="Bind"/>): an event loop keeps them for its next connection (<see cref="Http1ConnectionPool"/>).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "RunAsync disarms the deadlines when a connection ends; an unpooled one disposes them.")]
internal sealed partial class Http1Connection
{
    private readonly HttpHeadParser _parser;
    private readonly HttpRequestHead _head = new();
    private readonly ResponseWriter _response;
    private readonly HttpRequestHandler? _handler;
    private readonly AsyncHttpRequestHandler? _asyncHandler;
    private readonly ResponsePacing _pacing;
    private readonly ResponseDeadline _responseDeadline;

    // What belongs to the connection served now (Bind).
    private IConnectionTransport _transport = null!;
    private Server.Internal.WorkerParking? _parking;
    private IdleRest _rest;

    /// <summary>Whether every handler on the current worker asked to keep it (reset when the connection parks and so leaves that worker).</summary>
    private bool _keepWorker = true;

    /// <summary>Exchanges begun in this connect call.</summary>
    private int _exchanges;
    private ConnectionTelemetry? _telemetry; // made only once someone listens

    /// <summary>Parts for connections of <paramref name="context"/> on the clock <paramref name="time"/>, bound to none yet.</summary>
    public Http1Connection(HttpServerContext context, TimeProvider time, HttpRequestHandler? handler = null, AsyncHttpRequestHandler? asyncHandler = null)
    {
        Context = context;
        _handler = handler;
        _asyncHandler = asyncHandler;
        _parser = new HttpHeadParser(context.Limits);
        Time = time;
        _waits = new ClientWaits(Time);
        _responseDeadline = new ResponseDeadline(Time, context.Options.ResponseTimeout);
        _pacing = new ResponsePacing(_waits.Deadline, Time, context.Options);
        Observation = new ExchangeObservation(this, _head, Time);
        _response = new ResponseWriter(this, _head, context, Observation);
        Body = new RequestBodyReader(this, _head, context, _response, Observation);
        Headers = new RequestHeaders(_head.Headers);
        Form = new FormReader(Body, _head, context);
    }

    /// <summary>A connection's own parts, on its pool's clock, bound to <paramref name="socket"/> (not pooled).</summary>
    public Http1Connection(MoonSocket socket, HttpServerContext context, HttpRequestHandler? handler = null, AsyncHttpRequestHandler? asyncHandler = null)
        : this(context, Server.MoonbridgeServer.CurrentTimeProvider, handler, asyncHandler)
        => Bind(socket);

    /// <summary>
    /// Which connection the parts serve: counts up with each <see cref="Bind"/>, so that a request object a handler kept
    /// past its connection's end (<see cref="HttpRequest"/>) tells it is stale instead of reading the next one's.
    /// </summary>
    internal int Binding { get; private set; }

    /// <summary>Binds the parts to <paramref name="socket"/>, in the handler scope of the connect call now running.</summary>
    internal void Bind(MoonSocket socket)
    {
        _transport = socket.Connection ?? throw new InvalidOperationException("An HTTP handler needs a socket with a connection; interval and main listeners have none.");
        _waits.Bind(_transport);
        Stopping = Server.MoonbridgeServer.StopRequested;
        Server.Internal.HandlerScope? scope = Server.Internal.HandlerScope.Current;
        _parking = scope?.Parking;
        _rest = new IdleRest(scope, Context.Options.IdleRestDelay);
        _keepWorker = true;
        _exchanges = 0;
        Request = new HttpRequest(this, socket);
    }

    /// <summary>The pool and the event loop that keep these parts between connections; null for the parts of one connection.</summary>
    internal (Http1ConnectionPool Pool, IO.EventLoop.EpollLoop Loop)? Home { get; init; }

    internal RequestHeaders Headers { get; }

    internal FormReader Form { get; }

    /// <summary>Cancelled when the server begins to stop: responses then announce that the connection closes.</summary>
    internal CancellationToken Stopping { get; private set; }

    internal HttpServerContext Context { get; }

    internal IConnectionTransport Transport => _transport;

    /// <summary>The connection's clock (the pool's <see cref="Server.ListenOptions.TimeProvider"/>): every deadline and measured wait of the connection runs on it.</summary>
    internal TimeProvider Time { get; }

    /// <summary>The request head the parser fills (benchmarks parse into it directly).</summary>
    internal HttpRequestHead Head => _head;

    internal HttpRequest Request { get; private set; } = null!;

    internal RequestBodyReader Body { get; }

    internal ResponseWriter Response => _response;

    internal ExchangeObservation Observation { get; }

    /// <summary>The token of the exchange in progress (<see cref="HttpRequest.Aborted"/>); none before the first handler runs.</summary>
    internal CancellationToken RequestAborted => _responseDeadline.IsWatching ? _responseDeadline.Token : CancellationToken.None;

    /// <summary>Serves requests until the connection ends; returns whether every handler asked to keep the worker.</summary>
    public async ValueTask<bool> RunAsync<TWaiter>(CancellationToken cancellationToken)
        where TWaiter : struct, ITransportWaiter
    {
        // A graceful server stop ends the wait for a next request at once; an exchange in progress completes.
        CancellationTokenRegistration stopping = Stopping.UnsafeRegister(static state => ((Http1Connection)state!).CancelIdleWait(), this);
        bool keepWorker;
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
                bool keep = await HandlerCall.RunAsync<TWaiter>(this, cancellationToken).ConfigureAwait(false);
                _keepWorker &= keep;
                if (!await ExchangeCompletion.RunAsync<TWaiter>(this).ConfigureAwait(false))
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
            stopping.Dispose();
            _telemetry?.End(_response.FinalStatusCode, "aborted");
            Observation.End(completed: false);
            _response.ReleaseBuffers();
            keepWorker = _keepWorker;
            Release();
        }

        return keepWorker;
    }

    /// <summary>
    /// The connection ended: a request object kept past its end goes stale (<see cref="Binding"/>), the parts let go of
    /// the connection and return to their pool, or, unpooled, give up their deadline's timer.
    /// </summary>
    private void Release()
    {
        Binding++;
        _idleWait = false;
        _waits.Release();
        _transport = null!;
        Request = null!;
        _parking = null;
        _rest = default;
        _responseDeadline.Forget();
        _telemetry = null;
        if (Home is not { } home || !home.Pool.TryReturn(this, home.Loop))
        {
            _waits.Dispose();
            _responseDeadline.Dispose();
        }
    }

    /// <summary>Answers a rejected request with its status and closes the connection.</summary>
    private ValueTask RejectAsync<TWaiter>(int statusCode, string? reason)
        where TWaiter : struct, ITransportWaiter
    {
        Observation.End(completed: false, statusCode);
        _telemetry?.End(statusCode);
        HttpLog.RequestRejected(Context.Logger, statusCode, reason ?? string.Empty);
        return SendErrorAndCloseAsync<TWaiter>(statusCode, reason);
    }

    /// <summary>The connection's response deadline, watching it from its first handler call: re-armed per request.</summary>
    internal ResponseDeadline WatchResponse(CancellationToken cancellationToken)
    {
        if (!_responseDeadline.IsWatching)
        {
            _responseDeadline.Watch(_transport, cancellationToken);
        }

        return _responseDeadline;
    }

    /// <summary>Calls the handler for the exchange in progress (a blocking one completes before this returns).</summary>
    internal ValueTask<bool> CallHandler(CancellationToken token)
        => _asyncHandler is not null ? _asyncHandler(Request, token) : new ValueTask<bool>(_handler!(Request));

    /// <summary>Whether the handler is a blocking one, which may block its worker for long.</summary>
    internal bool HandlerBlocks => _asyncHandler is null;

    /// <summary>
    /// Whether a handler's <see cref="HttpStatusException"/> can be answered like any response: nothing of a
    /// response went out, and the body's framing is intact, so the connection can go on as after any
    /// response (what is left of the body drained within <see cref="HttpOptions.RequestBodyDrainLimit"/>, else
    /// closed). A body whose reading failed (too slow, cut short, malformed) leaves where the next request
    /// begins in doubt: that is answered by the connection, which then closes.
    /// </summary>
    internal bool CanAnswerErrorInPlace => !_response.Started && !_transport.HasFailed && !Body.ReadFailed;

    internal void Abort()
    {
        if (!_transport.IsClosed)
        {
            _transport.Abort(System.Net.Sockets.SocketError.ConnectionAborted);
        }
    }
}
