using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Http;

/// <summary>
/// Interim (1xx) responses: the handler's own, 100 Continue and 102 progress share one head builder and one send.
/// </summary>
public sealed partial class HttpRequest
{
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendInterimAsync(bool async)
    {
        _state = ResponseState.NoStatus;
        if (_head.Version == HttpVersion.Http10)
        {
            // HTTP/1.0 clients do not understand interim responses (RFC 9110 §15.2).
            _userHeaders.Clear();
            return;
        }

        PooledBufferWriter head = BeginHead(_status);
        head.Write(_userHeaders.WrittenSpan);
        _userHeaders.Clear();
        await SendInterimHeadAsync(async, head).ConfigureAwait(false);
    }

    /// <summary>Starts a response head in the shared output buffer: the status line and the static headers.</summary>
    private PooledBufferWriter BeginHead(ReadOnlySpan<char> status)
    {
        PooledBufferWriter head = _out;
        head.Clear();
        head.Write("HTTP/1.1 "u8);
        head.WriteLatin1(status);
        head.Write("\r\n"u8);
        head.Write(_context.StaticHeaderBytes);
        return head;
    }

    /// <summary>Ends an interim (1xx) head begun with <see cref="BeginHead"/> and sends it at once.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendInterimHeadAsync(bool async, PooledBufferWriter head)
    {
        head.Write("\r\n"u8);
        await _connection.WriteOutputAsync(async, head.WrittenSpan).ConfigureAwait(false);
        head.Clear();
        await _connection.FlushOutputAsync(async).ConfigureAwait(false);
    }
}
