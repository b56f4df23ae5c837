using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Framing of the final response: the head is committed with Content-Length or chunked framing, gathered data
/// leaves in chunks, and the finish ends the body (with a trailer field when asked).
/// </summary>
internal sealed partial class ResponseWriter
{
    /// <param name="flush">
    /// Hand the output to the kernel now (an explicit Finish), or leave that to the connection, which flushes
    /// before it waits for input, so that the responses to pipelined requests leave in one send.
    /// </param>
    public ValueTask FinishAsync<TWaiter>(bool flush)
        where TWaiter : struct, ITransportWaiter
    {
        // The common end: a body of the announced length already out, the connection's flush to come.
        if (_state == ResponseState.Committed && !_chunked && !flush && !connection.Transport.HasFailed && !FallsShortOfLength)
        {
            _state = ResponseState.Finished;
            return ValueTask.CompletedTask;
        }

        return FinishAnyAsync<TWaiter>(flush);
    }

    /// <summary>Fewer body bytes were sent than the response's Content-Length announced: it cannot be finished.</summary>
    private bool FallsShortOfLength => _contentLength is { } length && _bodyBytes != length && !IsHead;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask FinishAnyAsync<TWaiter>(bool flush)
        where TWaiter : struct, ITransportWaiter
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
                await CommitAsync<TWaiter>(atFinish: true).ConfigureAwait(false);
                break;
            default:
                if (_chunked)
                {
                    if (_gathered.WrittenCount > 0)
                    {
                        await EmitChunkAsync<TWaiter>().ConfigureAwait(false);
                    }

                    await connection.WriteOutputAsync<TWaiter>("0\r\n\r\n"u8).ConfigureAwait(false);
                }

                break;
        }

        if (FallsShortOfLength)
        {
            throw new InvalidOperationException("Content length not used: fewer bytes were sent than announced.");
        }

        _state = ResponseState.Finished;
        if (flush)
        {
            await connection.FlushOutputAsync<TWaiter>().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Completes a chunked response with one trailer field, so a client can learn that the body it got may be
    /// incomplete (the ESI layer's <c>Warning</c> after a script failed or timed out mid-stream). Responses
    /// framed otherwise finish as <see cref="FinishAsync"/> does: they have no place for a trailer.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FinishWithTrailerAsync<TWaiter>(string name, string value)
        where TWaiter : struct, ITransportWaiter
    {
        HeaderValidation.ThrowIfInvalid(name, value);
        if (_state != ResponseState.Committed || !_chunked)
        {
            await FinishAsync<TWaiter>(flush: true).ConfigureAwait(false);
            return;
        }

        ThrowIfFaulty();
        if (_gathered.WrittenCount > 0)
        {
            await EmitChunkAsync<TWaiter>().ConfigureAwait(false);
        }

        PooledBufferWriter last = _out;
        last.Clear();
        last.Write("0\r\n"u8);
        last.WriteLatin1(name);
        last.Write(": "u8);
        last.WriteLatin1(value);
        last.Write("\r\n\r\n"u8);
        _state = ResponseState.Finished;
        observation.Sent(last.WrittenCount);
        await connection.WriteOutputAsync<TWaiter>(last.WrittenSpan).ConfigureAwait(false);
        last.Clear();
        await connection.FlushOutputAsync<TWaiter>().ConfigureAwait(false);
    }

    /// <summary>Writes the final response head, choosing the framing, with what was gathered of the body or, for a
    /// response whose length was announced, <paramref name="announcedBody"/>: head and data leave in one write.</summary>
    private ValueTask CommitAsync<TWaiter>(bool atFinish, ReadOnlySpan<byte> announcedBody = default)
        where TWaiter : struct, ITransportWaiter
    {
        PooledBufferWriter written = WriteHead(atFinish, announcedBody);
        ValueTask write = connection.WriteOutputAsync<TWaiter>(written.WrittenSpan, endsResponse: atFinish || _bodyBytes == _contentLength);
        written.Clear();
        return _chunked && _gathered.WrittenCount >= context.Options.MinimumOutputChunkSize ? EmitChunkAfterAsync<TWaiter>(write) : write;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask EmitChunkAfterAsync<TWaiter>(ValueTask write)
        where TWaiter : struct, ITransportWaiter
    {
        await write.ConfigureAwait(false);
        await EmitChunkAsync<TWaiter>().ConfigureAwait(false);
    }

    /// <summary>The final response head (and what was gathered of an unchunked body) in the output buffer, counted as sent.</summary>
    private PooledBufferWriter WriteHead(bool atFinish, ReadOnlySpan<byte> announcedBody)
    {
        long? length = _contentLength;
        bool bodyless = IsBodyless;
        if (!bodyless && length is null)
        {
            if (atFinish)
            {
                length = _bodyBytes;
            }
            else if (head.Version == HttpVersion.Http11 && !IsHead)
            {
                _chunked = true;
            }
            else if (!IsHead)
            {
                // HTTP/1.0 has no chunked framing: the end of the body is the end of the connection.
                _closeAfter = true;
            }
        }

        PooledBufferWriter buffer = InterimResponses.BeginHead(_out, _repeatedStatus.LineOf(_status!), context);
        if (!_userDate && !context.StaticDate)
        {
            buffer.Write(DateHeader.Line);
        }

        buffer.Write(_userHeaders.WrittenSpan);
        if (_statusCode == 205)
        {
            buffer.Write("Content-Length: 0\r\n"u8);
        }
        else if (!bodyless && length is { } contentLength && _contentLength is null && !(IsHead && contentLength == 0))
        {
            buffer.Write("Content-Length: "u8);
            Utf8Formatter.TryFormat(contentLength, buffer.GetSpan(20), out int digits);
            buffer.Advance(digits);
            buffer.Write("\r\n"u8);
        }
        else if (_chunked)
        {
            buffer.Write("Transfer-Encoding: chunked\r\n"u8);
        }

        RequestBodyReader body = connection.Body;
        if (body.AwaitsContinue && !body.IsComplete)
        {
            // The client still waits for 100 Continue, so its body will not follow and the connection
            // cannot be reused: say so (RFC 9110 §10.1.1) instead of closing unannounced.
            _closeAfter = true;
        }

        if (connection.Stopping.IsCancellationRequested)
        {
            // A stopping server serves no further request on this connection: say so, so that a client
            // never sends one that would go unanswered (RFC 9112 §9.6).
            _closeAfter = true;
        }

        if (_closeAfter && !_userConnectionHeader)
        {
            buffer.Write("Connection: close\r\n"u8);
        }
        else if (!_closeAfter && head.Version == HttpVersion.Http10 && !_userConnectionHeader)
        {
            buffer.Write("Connection: keep-alive\r\n"u8);
        }

        buffer.Write("\r\n"u8);
        _state = ResponseState.Committed;
        if (_gathered.WrittenCount > 0 && !_chunked)
        {
            buffer.Write(_gathered.WrittenSpan);
            _gathered.Clear();
        }

        buffer.Write(announcedBody);

        observation.ResponseStarted(_statusCode, _contentLength ?? (_chunked ? null : length));
        observation.Sent(buffer.WrittenCount);
        return buffer;
    }

    private ValueTask EmitChunkAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        PooledBufferWriter chunk = _out;
        chunk.Clear();
        Utf8Formatter.TryFormat(_gathered.WrittenCount, chunk.GetSpan(16), out int digits, new System.Buffers.StandardFormat('x'));
        chunk.Advance(digits);
        chunk.Write("\r\n"u8);
        chunk.Write(_gathered.WrittenSpan);
        chunk.Write("\r\n"u8);
        _gathered.Clear();
        observation.Sent(chunk.WrittenCount);
        ValueTask write = connection.WriteOutputAsync<TWaiter>(chunk.WrittenSpan);
        chunk.Clear();
        return write;
    }
}
