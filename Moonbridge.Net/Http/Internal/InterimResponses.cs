using System.Buffers.Text;
using System.Runtime.CompilerServices;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// Interim (1xx) responses: the handler's own, <c>100 Continue</c> and <c>102 Processing</c> share one head
/// builder (the response's head buffer) and one send, which goes out at once.
/// </summary>
internal sealed class InterimResponses(Http1Connection connection, HttpRequestHead head, HttpServerContext context, ExchangeObservation observation, PooledBufferWriter buffer)
{
    public ValueTask SendContinueAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
        => SendAsync<TWaiter>(BeginHead(buffer, "100 Continue", context));

    /// <summary>
    /// Sends <c>102 Processing</c> with a <c>Progress: received/size</c> header (draft-wright-http-progress);
    /// the size is known for a Content-Length body only.
    /// </summary>
    public ValueTask SendProgressAsync<TWaiter>(long received)
        where TWaiter : struct, ITransportWaiter
    {
        observation.InterimProgressSent(received);
        PooledBufferWriter progress = BeginHead(buffer, "102 Processing", context);
        progress.Write("Progress: "u8);
        Utf8Formatter.TryFormat(received, progress.GetSpan(20), out int digits);
        progress.Advance(digits);
        progress.Write("/"u8);
        if (head.Framing == BodyFraming.ContentLength)
        {
            Utf8Formatter.TryFormat(head.ContentLength, progress.GetSpan(20), out digits);
            progress.Advance(digits);
        }

        progress.Write("\r\n"u8);
        return SendAsync<TWaiter>(progress);
    }

    /// <summary>Sends a handler's interim response: its status line and header fields (copied before this returns).</summary>
    public ValueTask SendAsync<TWaiter>(ReadOnlySpan<char> status, ReadOnlySpan<byte> fields)
        where TWaiter : struct, ITransportWaiter
    {
        PooledBufferWriter interim = BeginHead(buffer, status, context);
        interim.Write(fields);
        return SendAsync<TWaiter>(interim);
    }

    /// <summary>Starts a response head, interim or final, in <paramref name="buffer"/>: the status line and the static headers.</summary>
    public static PooledBufferWriter BeginHead(PooledBufferWriter buffer, ReadOnlySpan<char> status, HttpServerContext context)
    {
        buffer.Clear();
        buffer.Write("HTTP/1.1 "u8);
        buffer.WriteLatin1(status);
        buffer.Write("\r\n"u8);
        buffer.Write(context.StaticHeaderBytes);
        return buffer;
    }

    /// <summary>Starts a final response head from its encoded status line (<see cref="RepeatedStatus"/>) and the static headers.</summary>
    public static PooledBufferWriter BeginHead(PooledBufferWriter buffer, ReadOnlySpan<byte> statusLine, HttpServerContext context)
    {
        buffer.Clear();
        buffer.Write(statusLine);
        buffer.Write(context.StaticHeaderBytes);
        return buffer;
    }

    /// <summary>Ends an interim head begun with <see cref="BeginHead(PooledBufferWriter, ReadOnlySpan{char}, HttpServerContext)"/> and sends it at once.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync<TWaiter>(PooledBufferWriter interim)
        where TWaiter : struct, ITransportWaiter
    {
        interim.Write("\r\n"u8);
        await connection.WriteOutputAsync<TWaiter>(interim.WrittenSpan).ConfigureAwait(false);
        interim.Clear();
        await connection.FlushOutputAsync<TWaiter>().ConfigureAwait(false);
    }
}
