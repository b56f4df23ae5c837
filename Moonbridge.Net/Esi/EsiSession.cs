using System.Buffers;
using System.Text;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi.Internal;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Esi;

/// <summary>
/// mod_esi's <c>SessionID</c>: where an <see cref="EsiHandler"/> delivers its response, in as many pieces as it
/// likes. The first non-empty delivery may begin with a header section ending in a blank line (<c>\r\n\r\n</c>);
/// without that blank line, the server assumes no headers and answers <c>200</c>. A <c>status:</c> field sets the
/// status (<c>201</c> or <c>201 Created</c>), a <c>Location:</c> with a full URI redirects with <c>302</c>, one with
/// a local path (<c>/esi/mod/fun</c>) is served in place of the script's output. Every delivery reaches the
/// client at once: as a chunk for HTTP/1.1, or on a connection that closes at the end for HTTP/1.0.
/// </summary>
/// <remarks>
/// Deliveries are serialised, so a handler may deliver from any thread, but one at a time is the sensible use.
/// Once the session is closed (the last call returned, the script timed out, or its header section was invalid
/// and answered with 500), deliveries throw <see cref="EsiSessionClosedException"/>.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The semaphore's wait handle is never created, so it holds nothing to dispose; an abandoned handler may still use the session after its request ended.")]
public sealed partial class EsiSession
{
    private readonly HttpRequest _request;
    private readonly ScriptTimer _timer;
    private readonly EsiOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SessionState _state;
    private string _closedReason = string.Empty;
    private EsiResponseHead? _head;
    private string? _redirect;
    private volatile bool _callRunning;

    internal EsiSession(HttpRequest request, ScriptTimer timer, EsiOptions options, ILogger logger, string script)
    {
        _request = request;
        _timer = timer;
        _options = options;
        _logger = logger;
        Script = script;
    }

    private enum SessionState
    {
        /// <summary>Nothing delivered yet: the next non-empty delivery decides the headers.</summary>
        AwaitingHeaders,

        /// <summary>The response head is out; deliveries are body.</summary>
        Streaming,

        /// <summary>A local <c>Location</c> asked for another resource; deliveries are discarded.</summary>
        Redirected,

        /// <summary>The response is complete or was answered for the script; deliveries throw.</summary>
        Closed,
    }

    /// <summary>True once a delivery has sent the response head.</summary>
    public bool HeadersDelivered => _state == SessionState.Streaming || (_state == SessionState.Closed && _head is not null);

    /// <summary>The status the script's header section chose, or null before the first delivery.</summary>
    public int? StatusCode => _head?.StatusCode;

    /// <summary>The module and function, e.g. <c>demo/page</c>, for log messages.</summary>
    internal string Script { get; }

    /// <summary>The request this session answers.</summary>
    internal HttpRequest Request => _request;

    /// <summary>Whether the script still gets body chunks: not once it redirected or was answered for.</summary>
    internal bool TakesInput => _state is SessionState.AwaitingHeaders or SessionState.Streaming;

    /// <summary>Set when a handler call was given up on while still running (script timeout).</summary>
    internal bool Abandoned { get; set; }

    /// <summary>A local path a <c>Location</c> field asked to be served instead, once the script is done.</summary>
    internal string? RedirectTarget => _redirect;

    /// <summary>Set by the router around each handler call, so a delivery restarts the script timer only then.</summary>
    internal bool CallRunning
    {
        get => _callRunning;
        set => _callRunning = value;
    }

    /// <summary>Delivers response data (mod_esi <c>deliver/2</c>), blocking the thread while the client is slow.</summary>
    /// <remarks>
    /// The router never calls a function on a connection's receive loop, so the function may block here; on a
    /// thread-pool thread the pool is told the thread is blocked and adds threads meanwhile. Called on a
    /// receive loop (from a continuation of other code), it throws instead of stopping that connection's input.
    /// </remarks>
    /// <param name="data">Headers and/or body bytes.</param>
    /// <exception cref="EsiSessionClosedException">The session no longer takes deliveries.</exception>
    /// <exception cref="IOException">The client connection failed.</exception>
    /// <exception cref="InvalidOperationException">Called on a connection's receive loop, where blocking would stop its input.</exception>
    public void Deliver(ReadOnlySpan<byte> data)
    {
        ThrowIfOnReceiveLoop();
        byte[] copy = ArrayPool<byte>.Shared.Rent(data.Length);
        data.CopyTo(copy);
        DeliverPooled(copy, data.Length);
    }

    /// <summary>Delivers UTF-8 text; see <see cref="Deliver(ReadOnlySpan{byte})"/>.</summary>
    /// <param name="text">Headers and/or body text.</param>
    /// <exception cref="EsiSessionClosedException">The session no longer takes deliveries.</exception>
    /// <exception cref="IOException">The client connection failed.</exception>
    /// <exception cref="InvalidOperationException">Called on a connection's receive loop, where blocking would stop its input.</exception>
    public void Deliver(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        ThrowIfOnReceiveLoop();
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        DeliverPooled(utf8, Encoding.UTF8.GetBytes(text, utf8));
    }

    /// <summary>Delivers response data without blocking a thread (mod_esi <c>deliver/2</c>).</summary>
    /// <param name="data">Headers and/or body bytes; copied or sent before the task completes.</param>
    /// <param name="cancellationToken">Stops waiting for an earlier delivery to finish.</param>
    /// <exception cref="EsiSessionClosedException">The session no longer takes deliveries.</exception>
    /// <exception cref="IOException">The client connection failed.</exception>
    public async ValueTask DeliverAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            int body = BeginDelivery(data.Span, out string? invalid);
            if (invalid is not null)
            {
                await AnswerInvalidHeadersAsync(invalid).ConfigureAwait(false);
            }
            else if (body >= 0)
            {
                if (SendsBody(data.Length - body))
                {
                    await _request.SendDataAsync(data[body..]).ConfigureAwait(false);
                }

                await _request.FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            EndDelivery();
        }
    }

    /// <summary>Delivers UTF-8 text without blocking a thread; see <see cref="DeliverAsync(ReadOnlyMemory{byte}, CancellationToken)"/>.</summary>
    /// <param name="text">Headers and/or body text.</param>
    /// <param name="cancellationToken">Stops waiting for an earlier delivery to finish.</param>
    /// <exception cref="EsiSessionClosedException">The session no longer takes deliveries.</exception>
    public async ValueTask DeliverAsync(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            await DeliverAsync(utf8.AsMemory(0, Encoding.UTF8.GetBytes(text, utf8)), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private static void ThrowIfOnReceiveLoop()
    {
        if (SocketConnection.IsOnReceiveLoop)
        {
            throw new InvalidOperationException("EsiSession.Deliver blocks, which is refused on a connection's receive loop; use DeliverAsync there.");
        }
    }

    /// <summary>The blocking delivery: waits for the asynchronous one, then returns <paramref name="pooled"/> to the pool.</summary>
    private void DeliverPooled(byte[] pooled, int length)
    {
        try
        {
            ValueTask delivery = DeliverAsync(pooled.AsMemory(0, length), CancellationToken.None);
            if (delivery.IsCompleted)
            {
                delivery.GetAwaiter().GetResult();
            }
            else
            {
                // Waiting on a task, unlike on an event, tells the thread pool that this thread is blocked, so
                // it adds threads instead of starving while slow clients hold many blocking deliveries.
                delivery.AsTask().GetAwaiter().GetResult();
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(pooled);
        }
    }

    /// <summary>
    /// Under the gate: refuses a closed session, pauses the script timer, and on the first non-empty delivery
    /// reads the header section and sends the response head.
    /// </summary>
    /// <returns>Where the body starts in <paramref name="data"/>, or -1 when nothing is to be written.</returns>
    private int BeginDelivery(ReadOnlySpan<byte> data, out string? invalid)
    {
        invalid = null;
        if (_state == SessionState.Closed || _timer.Token.IsCancellationRequested)
        {
            throw new EsiSessionClosedException(_state == SessionState.Closed
                ? _closedReason
                : "The ESI session is closed: the script timed out or its request was cancelled.");
        }

        _timer.Pause();
        if (_state == SessionState.Redirected || data.IsEmpty)
        {
            return -1;
        }

        if (_state == SessionState.Streaming)
        {
            return 0;
        }

        int end = data.IndexOf(EsiHeaderParser.End);
        EsiResponseHead? head = end < 0 ? EsiResponseHead.Default : EsiHeaderParser.Parse(data[..end], out invalid);
        if (head is null)
        {
            return -1;
        }

        if (head.InternalRedirect is { } target)
        {
            _redirect = target;
            _state = SessionState.Redirected;
            return -1;
        }

        SendHead(head);
        return end < 0 ? 0 : end + EsiHeaderParser.End.Length;
    }

    private void EndDelivery()
    {
        if (_callRunning && _state != SessionState.Closed)
        {
            _timer.Start();
        }

        _gate.Release();
    }

    /// <summary>Body bytes are dropped for statuses without a body; HEAD is left to the request, which ignores them.</summary>
    private bool SendsBody(int length) => length > 0 && !_head!.IsBodyless;

    private void SendHead(EsiResponseHead head)
    {
        if (head.DroppedFraming)
        {
            EsiLog.FramingHeaderDropped(_logger, Script);
        }

        _head = head;
        _state = SessionState.Streaming;
        _request.SendStatus(head.Status);
        if (_options.NoCache && !head.HasCacheControl)
        {
            _request.SendHeader("Cache-Control", "no-cache");
            _request.SendHeader("Pragma", "no-cache");
            _request.SendHeader("Expires", DateTimeOffset.UtcNow.ToString("r", System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (KeyValuePair<string, string> field in head.Headers)
        {
            _request.SendHeader(field.Key, field.Value);
        }
    }

    private async ValueTask AnswerInvalidHeadersAsync(string reason)
    {
        EsiLog.InvalidHeaders(_logger, Script, reason);
        Close("The ESI session is closed: its header section was invalid and answered with 500.");
        await AnswerPlainAsync(500, close: false).ConfigureAwait(false);
        throw new EsiSessionClosedException($"The header section was invalid ({reason}); the request was answered with 500.");
    }
}
