using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
    private readonly PooledBufferWriter _userHeaders = new();
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

    /// <summary>True once a final status was given with <see cref="SendStatus(string)"/>.</summary>
    public bool StatusSent => _state >= ResponseState.FinalStatus;

    /// <summary>True once bytes of the final response head were handed to the connection.</summary>
    internal bool ResponseStarted => _state >= ResponseState.Committed;

    private bool IsHead => _head.Method == "HEAD";

    private bool IsBodyless => _statusCode is 204 or 304 or 101;

    /// <summary>
    /// Sets the response status, e.g. <c>"200 OK"</c> or <c>"404 Not Found"</c> (Lua <c>send_status</c>).
    /// A 1xx status is an interim response: add headers, call <see cref="FinishHeaders"/>, then send the
    /// final status. A second final status throws.
    /// </summary>
    /// <param name="status">Three digits, a space and a reason phrase.</param>
    public void SendStatus(string status)
    {
        ThrowIfFaulty();
        int code = StatusLine.ParseCode(status);
        ThrowIfFinalStatusSent();
        if (code == 100)
        {
            throw new ArgumentException("100 Continue is sent by the server when the handler starts reading the body.", nameof(status));
        }

        _fresh = false;
        _status = status;
        _statusCode = code;
        _userHeaders.Clear();

        // 205 Reset Content is sent with Content-Length: 0, so no data may follow it.
        _contentLength = code == 205 ? 0 : null;
        _userConnectionHeader = false;
        _userDate = false;
        _state = code is >= 100 and < 200 && code != 101 ? ResponseState.InterimStatus : ResponseState.FinalStatus;
    }

    /// <summary>Sets the response status from a code, with its standard reason phrase.</summary>
    /// <param name="statusCode">The status code, 101 to 599.</param>
    public void SendStatus(int statusCode)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 101);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 599);
        SendStatus($"{statusCode} {StatusLine.ReasonPhrase(statusCode)}");
    }

    /// <summary>
    /// Adds a response header (Lua <c>send_header</c>); only after a status and before the header section
    /// is finished. Names must be tokens and values free of CR, LF and NUL (else <see cref="ArgumentException"/>).
    /// <c>Content-Length</c> switches to fixed-length mode; a <c>Connection: close</c> closes after the response.
    /// Framing (<c>Transfer-Encoding</c>) is the server's and cannot be set.
    /// </summary>
    /// <param name="name">The header name.</param>
    /// <param name="value">The header value.</param>
    public void SendHeader(string name, string value)
    {
        ThrowIfFaulty();
        HeaderValidation.ThrowIfInvalid(name, value);
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

        if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("Transfer-Encoding is managed by the server.", nameof(name));
        }

        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
        {
            if (_state == ResponseState.InterimStatus || IsBodyless)
            {
                throw new InvalidOperationException("Content-Length is not allowed with this status.");
            }

            if (!long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length))
            {
                throw new ArgumentException($"'{value}' is not a valid Content-Length.", nameof(value));
            }

            if (_contentLength is { } existing)
            {
                if (existing != length)
                {
                    throw new InvalidOperationException("Content-Length has already been set to a different value.");
                }

                return;
            }

            _contentLength = length;
        }
        else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
        {
            _userConnectionHeader = true;
            foreach (Range token in value.AsSpan().Split(','))
            {
                if (value.AsSpan(token).Trim().Equals("close", StringComparison.OrdinalIgnoreCase))
                {
                    _closeAfter = true;
                }
            }
        }
        else if (name.Equals("Date", StringComparison.OrdinalIgnoreCase))
        {
            _userDate = true;
        }

        _userHeaders.WriteLatin1(name);
        _userHeaders.Write(": "u8);
        _userHeaders.WriteLatin1(value);
        _userHeaders.Write("\r\n"u8);
    }

    /// <summary>
    /// Closes the connection after this response, with a <c>Connection: close</c> header (Lua
    /// <c>close_after_finish</c>); only before the header section is finished.
    /// </summary>
    public void CloseAfterFinish()
    {
        if (_state >= ResponseState.Committed)
        {
            throw new InvalidOperationException("The header section has already been finished.");
        }

        _closeAfter = true;
    }

    /// <summary>Finishes and sends the header section (Lua <c>finish_headers</c>); an interim (1xx) response is sent at once.</summary>
    public void FinishHeaders() => SyncWait.Completed(FinishHeadersCoreAsync(async: false));

    /// <summary>Finishes and sends the header section without blocking a thread.</summary>
    public ValueTask FinishHeadersAsync() => FinishHeadersCoreAsync(async: true);

    /// <summary>
    /// Sends response body data (Lua <c>send_data</c>); ignored for HEAD. Small pieces are gathered to
    /// <see cref="HttpOptions.MinimumOutputChunkSize"/> before a chunk goes out; a response finished while
    /// everything is still gathered is sent with a Content-Length.
    /// </summary>
    /// <param name="data">The bytes to send.</param>
    public void SendData(ReadOnlySpan<byte> data) => SyncWait.Completed(SendDataCore(async: false, data));

    /// <summary>Sends UTF-8 text as response body data (Lua <c>send_data</c>).</summary>
    /// <param name="text">The text to send.</param>
    public void SendData(string text) => SyncWait.Completed(SendTextCore(async: false, text));

    /// <summary>Sends response body data without blocking a thread.</summary>
    /// <param name="data">The bytes to send; they are copied or queued before the method returns.</param>
    public ValueTask SendDataAsync(ReadOnlyMemory<byte> data) => SendDataCore(async: true, data.Span);

    /// <summary>Sends UTF-8 text as response body data without blocking a thread.</summary>
    /// <param name="text">The text to send.</param>
    public ValueTask SendDataAsync(string text) => SendTextCore(async: true, text);

    /// <summary>Sends what is gathered and flushes the connection (Lua <c>flush</c>); the response is not finished.</summary>
    public void Flush() => SyncWait.Completed(FlushCoreAsync(async: false));

    /// <summary>Flushes without blocking a thread.</summary>
    public ValueTask FlushAsync() => FlushCoreAsync(async: true);

    /// <summary>
    /// Completes the response (Lua <c>finish</c>): sends the header section if still pending, the rest of
    /// the body and the end of a chunked body, and flushes. Idempotent; called automatically when the
    /// handler returns. Fewer bytes than a set Content-Length throws.
    /// </summary>
    public void Finish() => SyncWait.Completed(FinishCoreAsync(async: false, flush: true));

    /// <summary>Completes the response without blocking a thread.</summary>
    public ValueTask FinishAsync() => FinishCoreAsync(async: true, flush: true);

    /// <summary>
    /// A request whose connection failed must not be used again (the manual's <c>faulty</c>): a status or
    /// header accepted now could never be sent, and a handler that goes on would only believe it answered.
    /// </summary>
    private void ThrowIfFaulty()
    {
        if (Faulty)
        {
            throw new IOException("The request is faulty: reading from or writing to the client failed, so it must not be used further.");
        }
    }

    private void ThrowIfFinalStatusSent()
    {
        if (_state >= ResponseState.FinalStatus)
        {
            throw new InvalidOperationException("HTTP status has already been sent.");
        }
    }

    private void ResetResponse()
    {
        EndObservation(completed: false);
        _connection.ResetResponseRate();
        _state = ResponseState.NoStatus;
        _status = null;
        _statusCode = 0;
        _contentLength = null;
        _bodyBytes = 0;
        _chunked = false;
        _dataSent = false;
        _closeAfter = !_head.KeepAlive;
        _userConnectionHeader = false;
        _userDate = false;
        _userHeaders.Clear();
        _gathered.Clear();
        _out.Clear();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishHeadersCoreAsync(bool async)
    {
        ThrowIfFaulty();
        if (_state == ResponseState.InterimStatus)
        {
            await SendInterimAsync(async).ConfigureAwait(false);
            return;
        }

        if (_state == ResponseState.FinalStatus)
        {
            await CommitAsync(async, atFinish: false).ConfigureAwait(false);
            await _connection.FlushOutputAsync(async).ConfigureAwait(false);
            return;
        }

        if (_state == ResponseState.NoStatus)
        {
            throw new InvalidOperationException("HTTP status has not been sent yet.");
        }
    }

    /// <summary>Encodes into a pooled buffer; <see cref="SendDataCore"/> copies or queues the bytes before it returns.</summary>
    private ValueTask SendTextCore(bool async, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] utf8 = System.Buffers.ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            return SendDataCore(async, utf8.AsSpan(0, System.Text.Encoding.UTF8.GetBytes(text, utf8)));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private ValueTask SendDataCore(bool async, ReadOnlySpan<byte> data)
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
            _gathered.Write(data);
            return _gathered.WrittenCount >= _context.Options.MinimumOutputChunkSize || _contentLength is not null
                ? CommitAsync(async, atFinish: false)
                : ValueTask.CompletedTask;
        }

        if (_chunked)
        {
            _gathered.Write(data);
            return _gathered.WrittenCount >= _context.Options.MinimumOutputChunkSize ? EmitChunkAsync(async) : ValueTask.CompletedTask;
        }

        ObserveSent(data.Length);
        return _connection.WriteOutputAsync(async, data);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FlushCoreAsync(bool async)
    {
        ThrowIfFaulty();
        if (_state == ResponseState.FinalStatus)
        {
            await CommitAsync(async, atFinish: false).ConfigureAwait(false);
        }

        if (_state == ResponseState.Committed && _chunked && _gathered.WrittenCount > 0)
        {
            await EmitChunkAsync(async).ConfigureAwait(false);
        }

        await _connection.FlushOutputAsync(async).ConfigureAwait(false);
    }

    /// <param name="async">Whether waits may suspend (else they block).</param>
    /// <param name="flush">
    /// Hand the output to the kernel now (an explicit Finish), or leave that to the connection, which flushes
    /// before it waits for input, so that the responses to pipelined requests leave in one send.
    /// </param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishCoreAsync(bool async, bool flush)
    {
        ThrowIfFaulty();
        switch (_state)
        {
            case ResponseState.Finished:
                return;
            case ResponseState.NoStatus:
            case ResponseState.InterimStatus:
                throw new InvalidOperationException("HTTP status has not been sent yet.");
            case ResponseState.FinalStatus:
                await CommitAsync(async, atFinish: true).ConfigureAwait(false);
                break;
            default:
                if (_chunked)
                {
                    if (_gathered.WrittenCount > 0)
                    {
                        await EmitChunkAsync(async).ConfigureAwait(false);
                    }

                    await _connection.WriteOutputAsync(async, "0\r\n\r\n"u8).ConfigureAwait(false);
                }

                break;
        }

        if (_contentLength is { } length && _bodyBytes != length && !IsHead)
        {
            throw new InvalidOperationException("Content length not used: fewer bytes were sent than announced.");
        }

        _state = ResponseState.Finished;
        if (flush)
        {
            await _connection.FlushOutputAsync(async).ConfigureAwait(false);
        }
    }
}
