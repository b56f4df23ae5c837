using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

/// <summary>
/// Framing of the final response: the head is committed with Content-Length or chunked framing, and gathered data leaves in chunks.
/// </summary>
public sealed partial class HttpRequest
{
    /// <summary>Writes the final response head (and what was gathered of the body), choosing the framing.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CommitAsync(bool async, bool atFinish)
    {
        long? length = _contentLength;
        bool bodyless = IsBodyless;
        if (!bodyless && length is null)
        {
            if (atFinish)
            {
                length = _bodyBytes;
            }
            else if (_head.Version == HttpVersion.Http11 && !IsHead)
            {
                _chunked = true;
            }
            else if (!IsHead)
            {
                // HTTP/1.0 has no chunked framing: the end of the body is the end of the connection.
                _closeAfter = true;
            }
        }

        PooledBufferWriter head = BeginHead(_status);
        if (!_userDate && !_context.StaticDate)
        {
            head.Write(DateHeader.Line);
        }

        head.Write(_userHeaders.WrittenSpan);
        if (_statusCode == 205)
        {
            head.Write("Content-Length: 0\r\n"u8);
        }
        else if (!bodyless && length is { } contentLength && _contentLength is null && !(IsHead && contentLength == 0))
        {
            head.Write("Content-Length: "u8);
            Utf8Formatter.TryFormat(contentLength, head.GetSpan(20), out int digits);
            head.Advance(digits);
            head.Write("\r\n"u8);
        }
        else if (_chunked)
        {
            head.Write("Transfer-Encoding: chunked\r\n"u8);
        }

        if (_head.ExpectContinue && !_continueSent && !_bodyComplete)
        {
            // The client still waits for 100 Continue, so its body will not follow and the connection
            // cannot be reused: say so (RFC 9110 §10.1.1) instead of closing unannounced.
            _closeAfter = true;
        }

        if (_serverStopping.IsCancellationRequested)
        {
            // A stopping server serves no further request on this connection: say so, so that a client
            // never sends one that would go unanswered (RFC 9112 §9.6).
            _closeAfter = true;
        }

        if (_closeAfter && !_userConnectionHeader)
        {
            head.Write("Connection: close\r\n"u8);
        }
        else if (!_closeAfter && _head.Version == HttpVersion.Http10 && !_userConnectionHeader)
        {
            head.Write("Connection: keep-alive\r\n"u8);
        }

        head.Write("\r\n"u8);
        _state = ResponseState.Committed;
        if (_gathered.WrittenCount > 0 && !_chunked)
        {
            head.Write(_gathered.WrittenSpan);
            _gathered.Clear();
        }

        ObserveResponseStarted(_contentLength ?? (_chunked ? null : length));
        ObserveSent(head.WrittenCount);
        await _connection.WriteOutputAsync(async, head.WrittenSpan).ConfigureAwait(false);
        head.Clear();
        if (_chunked && _gathered.WrittenCount >= _context.Options.MinimumOutputChunkSize)
        {
            await EmitChunkAsync(async).ConfigureAwait(false);
        }
    }

    private ValueTask EmitChunkAsync(bool async)
    {
        PooledBufferWriter chunk = _out;
        chunk.Clear();
        Utf8Formatter.TryFormat(_gathered.WrittenCount, chunk.GetSpan(16), out int digits, new System.Buffers.StandardFormat('x'));
        chunk.Advance(digits);
        chunk.Write("\r\n"u8);
        chunk.Write(_gathered.WrittenSpan);
        chunk.Write("\r\n"u8);
        _gathered.Clear();
        ObserveSent(chunk.WrittenCount);
        ValueTask write = _connection.WriteOutputAsync(async, chunk.WrittenSpan);
        chunk.Clear();
        return write;
    }
}
