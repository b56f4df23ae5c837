using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The Moonbridge response state machine of the exchange in progress: a status (interim or final), headers,
/// body data gathered into chunks or sent with a Content-Length, and the finish. Heads are built in pooled
/// buffers and handed to the connection's output.
/// </summary>
/// <param name="connection">The connection the response is written to.</param>
/// <param name="head">The request head of the exchange in progress.</param>
/// <param name="context">The server's HTTP options and limits.</param>
/// <param name="observation">What the exchange reports to its observers.</param>
internal sealed partial class ResponseWriter(Http1Connection connection, HttpRequestHead head, HttpServerContext context, ExchangeObservation observation)
{
    private readonly PooledBufferWriter _userHeaders = new();
    private readonly RepeatedHeaders _repeatedHeaders = new();
    private readonly RepeatedStatus _repeatedStatus = new();
    private readonly PooledBufferWriter _gathered = new();
    private readonly PooledBufferWriter _out = new();
    private ResponseState _state;
    private string? _status;
    private int _statusCode;
    private long? _contentLength;
    private long _bodyBytes;
    private bool _chunked;
    private bool _dataSent;
    private bool _closeAfter;
    private bool _userConnectionHeader;
    private bool _userDate;

    private enum ResponseState
    {
        NoStatus,
        InterimStatus,
        FinalStatus,
        Committed,
        Finished,
    }

    /// <summary>Interim (1xx) responses, built in this writer's head buffer; made on first use, as most connections send none.</summary>
    public InterimResponses Interim => field ??= new InterimResponses(connection, head, context, observation, _out);

    /// <summary>True once a final status was given.</summary>
    public bool StatusSent => _state >= ResponseState.FinalStatus;

    /// <summary>The final status the handler set, or 0 before it set one.</summary>
    public int FinalStatusCode => _state >= ResponseState.FinalStatus ? _statusCode : 0;

    /// <summary>True once bytes of the final response head were handed to the connection.</summary>
    public bool Started => _state >= ResponseState.Committed;

    /// <summary>An interim (1xx) status was given and its head not yet sent.</summary>
    public bool InterimPending => _state == ResponseState.InterimStatus;

    /// <summary>The connection closes after this response.</summary>
    public bool CloseAfter => _closeAfter;

    /// <summary>True once a handler gave a status (the request is no longer fresh).</summary>
    public bool Touched { get; private set; }

    private bool IsHead => head.Method == "HEAD";

    private bool IsBodyless => _statusCode is 204 or 304 or 101;

    public void Reset()
    {
        _state = ResponseState.NoStatus;
        _status = null;
        _statusCode = 0;
        _contentLength = null;
        _bodyBytes = 0;
        _chunked = false;
        _dataSent = false;
        _closeAfter = !head.KeepAlive;
        _userConnectionHeader = false;
        _userDate = false;
        Touched = false;
        _repeatedHeaders.Restart();
        _userHeaders.Clear();
        _gathered.Clear();
        _out.Clear();
    }

    public void ReleaseBuffers()
    {
        _out.Release();
        _gathered.Release();
        _userHeaders.Release();
    }

    /// <summary>
    /// A request whose connection failed must not be used again (the manual's <c>faulty</c>): a status or
    /// header accepted now could never be sent, and a handler that goes on would only believe it answered.
    /// </summary>
    public void ThrowIfFaulty()
    {
        if (connection.Transport.HasFailed)
        {
            throw new IOException("The request is faulty: reading from or writing to the client failed, so it must not be used further.");
        }
    }

    public void SendStatus(string status)
    {
        ThrowIfFaulty();
        int code = _repeatedStatus.CodeOf(status);
        if (_state >= ResponseState.FinalStatus)
        {
            throw new InvalidOperationException("HTTP status has already been sent.");
        }

        if (code == 100)
        {
            throw new ArgumentException("100 Continue is sent by the server when the handler starts reading the body.", nameof(status));
        }

        Touched = true;
        _status = status;
        _statusCode = code;
        _userHeaders.Clear();
        _repeatedHeaders.Restart();

        // 205 Reset Content is sent with Content-Length: 0, so no data may follow it.
        _contentLength = code == 205 ? 0 : null;
        _userConnectionHeader = false;
        _userDate = false;
        _state = code is >= 100 and < 200 && code != 101 ? ResponseState.InterimStatus : ResponseState.FinalStatus;
    }

    public void SendHeader(string name, string value)
    {
        ThrowIfFaulty();
        bool repeated = _repeatedHeaders.TryRepeat(name, value, out HeaderFacts facts, out ReadOnlySpan<byte> line);
        if (!repeated)
        {
            HeaderValidation.ThrowIfInvalid(name, value);
        }

        if (_state is not (ResponseState.InterimStatus or ResponseState.FinalStatus))
        {
            throw new InvalidOperationException(_state == ResponseState.NoStatus
                ? "HTTP status has not been sent yet."
                : "The header section has already been finished.");
        }

        if (_dataSent)
        {
            // The head may not have gone out yet (small data is gathered), but the manual forbids headers
            // once the body began: whether one is accepted must not depend on how much data came before.
            throw new InvalidOperationException("Response body data has already been sent; headers must come before it.");
        }

        if (!repeated)
        {
            facts = HeaderFacts.Of(name, value);
        }

        switch (facts.Role)
        {
            case HeaderRole.ContentLength:
                if (_state == ResponseState.InterimStatus || IsBodyless)
                {
                    throw new InvalidOperationException("Content-Length is not allowed with this status.");
                }

                if (facts.ContentLength < 0)
                {
                    throw new ArgumentException($"'{value}' is not a valid Content-Length.", nameof(value));
                }

                if (_contentLength is { } existing)
                {
                    if (existing != facts.ContentLength)
                    {
                        throw new InvalidOperationException("Content-Length has already been set to a different value.");
                    }

                    return;
                }

                _contentLength = facts.ContentLength;
                break;
            case HeaderRole.Connection:
                _userConnectionHeader = true;
                _closeAfter |= facts.Closes;
                break;
            case HeaderRole.Date:
                _userDate = true;
                break;
        }

        if (!repeated)
        {
            line = _repeatedHeaders.Remember(name, value, facts);
        }

        if (!line.IsEmpty)
        {
            _userHeaders.Write(line);
            return;
        }

        _userHeaders.WriteLatin1(name);
        _userHeaders.Write(": "u8);
        _userHeaders.WriteLatin1(value);
        _userHeaders.Write("\r\n"u8);
    }

    public void CloseAfterFinish()
    {
        if (_state >= ResponseState.Committed)
        {
            throw new InvalidOperationException("The header section has already been finished.");
        }

        _closeAfter = true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FinishHeadersAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        ThrowIfFaulty();
        if (_state == ResponseState.InterimStatus)
        {
            await SendInterimAsync<TWaiter>().ConfigureAwait(false);
            return;
        }

        if (_state == ResponseState.FinalStatus)
        {
            await CommitAsync<TWaiter>(atFinish: false).ConfigureAwait(false);
            await connection.FlushOutputAsync<TWaiter>().ConfigureAwait(false);
            return;
        }

        if (_state == ResponseState.NoStatus)
        {
            throw new InvalidOperationException("HTTP status has not been sent yet.");
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendInterimAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        _state = ResponseState.NoStatus;
        if (head.Version == HttpVersion.Http10)
        {
            // HTTP/1.0 clients do not understand interim responses (RFC 9110 §15.2).
            _userHeaders.Clear();
            return;
        }

        ValueTask sending = Interim.SendAsync<TWaiter>(_status, _userHeaders.WrittenSpan);
        _userHeaders.Clear();
        await sending.ConfigureAwait(false);
    }

    /// <summary>Encodes into a pooled buffer; <see cref="SendDataAsync"/> copies or queues the bytes before it returns.</summary>
    public ValueTask SendTextAsync<TWaiter>(string text)
        where TWaiter : struct, ITransportWaiter
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return SendDataAsync<TWaiter>(utf8.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(text, utf8)));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    public ValueTask SendDataAsync<TWaiter>(ReadOnlySpan<byte> data)
        where TWaiter : struct, ITransportWaiter
    {
        ThrowIfFaulty();
        switch (_state)
        {
            case ResponseState.NoStatus:
            case ResponseState.InterimStatus:
                throw new InvalidOperationException("HTTP status has not been sent yet.");
            case ResponseState.Finished:
                throw new InvalidOperationException("The response has already been finished.");
        }

        if (IsBodyless)
        {
            throw new InvalidOperationException($"A {_statusCode} response has no body.");
        }

        if (_contentLength is { } length && _bodyBytes + data.Length > length)
        {
            throw new InvalidOperationException("Content length exceeded.");
        }

        _bodyBytes += data.Length;
        _dataSent = true;
        if (IsHead || data.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        if (_state == ResponseState.FinalStatus)
        {
            if (_contentLength is not null)
            {
                return CommitAsync<TWaiter>(atFinish: false, data); // the head and the data leave together
            }

            _gathered.Write(data);
            return _gathered.WrittenCount >= context.Options.MinimumOutputChunkSize ? CommitAsync<TWaiter>(atFinish: false) : ValueTask.CompletedTask;
        }

        if (_chunked)
        {
            _gathered.Write(data);
            return _gathered.WrittenCount >= context.Options.MinimumOutputChunkSize ? EmitChunkAsync<TWaiter>() : ValueTask.CompletedTask;
        }

        observation.Sent(data.Length);
        return connection.WriteOutputAsync<TWaiter>(data, endsResponse: _bodyBytes == _contentLength);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        ThrowIfFaulty();
        if (_state == ResponseState.FinalStatus)
        {
            await CommitAsync<TWaiter>(atFinish: false).ConfigureAwait(false);
        }

        if (_state == ResponseState.Committed && _chunked && _gathered.WrittenCount > 0)
        {
            await EmitChunkAsync<TWaiter>().ConfigureAwait(false);
        }

        await connection.FlushOutputAsync<TWaiter>().ConfigureAwait(false);
    }

    /// <summary>
    /// Replaces whatever the handler had begun (nothing of it was sent) by the server's plain-text error
    /// response; the exchange then completes as usual, so the connection stays open unless something
    /// else (the client, <c>CloseAfterFinish</c>, a stopping server, a body too large to drain) closes it.
    /// </summary>
    public ValueTask AnswerErrorInPlaceAsync<TWaiter>(int statusCode, string? reason, bool bodyTooLargeToDrain)
        where TWaiter : struct, ITransportWaiter
    {
        _state = ResponseState.NoStatus;
        _gathered.Clear();
        _bodyBytes = 0;
        _dataSent = false;
        if (bodyTooLargeToDrain)
        {
            // Too much body left to drain: the connection will close, and the answer says so.
            _closeAfter = true;
        }

        SendStatus($"{statusCode} {StatusLine.ReasonPhrase(statusCode)}");
        SendHeader("Content-Type", ErrorResponse.ContentType);
        return SendTextAsync<TWaiter>(ErrorResponse.Body(statusCode, reason));
    }
}
