using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Interim (1xx) responses: the handler's own, 100 Continue and 102 progress share one head builder and one send.
/// </summary>
internal sealed partial class ResponseWriter
{
    public ValueTask SendContinueAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
        => SendInterimHeadAsync<TWaiter>(BeginHead("100 Continue"));

    /// <summary>
    /// Sends <c>102 Processing</c> with a <c>Progress: received/size</c> header (draft-wright-http-progress);
    /// the size is known for a Content-Length body only.
    /// </summary>
    public ValueTask SendInterimProgressAsync<TWaiter>(long received)
        where TWaiter : struct, ITransportWaiter
    {
        _observation.InterimProgressSent(received);
        PooledBufferWriter head = BeginHead("102 Processing");
        head.Write("Progress: "u8);
        Utf8Formatter.TryFormat(received, head.GetSpan(20), out int digits);
        head.Advance(digits);
        head.Write("/"u8);
        if (_head.Framing == BodyFraming.ContentLength)
        {
            Utf8Formatter.TryFormat(_head.ContentLength, head.GetSpan(20), out digits);
            head.Advance(digits);
        }

        head.Write("\r\n"u8);
        return SendInterimHeadAsync<TWaiter>(head);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendInterimAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
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
        await SendInterimHeadAsync<TWaiter>(head).ConfigureAwait(false);
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
    private async ValueTask SendInterimHeadAsync<TWaiter>(PooledBufferWriter head)
        where TWaiter : struct, ITransportWaiter
    {
        head.Write("\r\n"u8);
        await _connection.WriteOutputAsync<TWaiter>(head.WrittenSpan).ConfigureAwait(false);
        head.Clear();
        await _connection.FlushOutputAsync<TWaiter>().ConfigureAwait(false);
    }
}
