using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The connection's output: responses are written into the transport's queue and flushed before the
/// connection waits for input (so pipelined answers leave together), with back-pressure; error answers and
/// the graceful close.
/// </summary>
internal sealed partial class Http1Connection
{
    private const long HighWaterMark = 256 * 1024;

    /// <summary>Hands queued output to the kernel, waiting (each wait bounded by the stall timeout and the response data rate) until all is taken.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask FlushOutputAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        IoWriteResult result;
        try
        {
            result = await OutputDrain.FlushAsync<TWaiter, Http1Connection>(_transport, this).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_outputWaitRateBound is not null)
        {
            // As the original does: a stalled client's connection is reset, and the request is faulty.
            Abort();
            if (_outputWaitRateBound == true)
            {
                HttpLog.ResponseDataRateTooLow(_context.Logger, _context.Options.MinimumResponseDataRate, _head.Method, _head.Target);
                throw new IOException("Client connection reads the response too slowly.");
            }

            throw new IOException("Client connection stalled.");
        }

        if (result.IsError)
        {
            throw new IOException($"Could not send data to client: {result.Error}.");
        }
    }

    /// <summary>Queues output; past a high-water mark it waits for the client to take it (back-pressure).</summary>
    internal ValueTask WriteOutputAsync<TWaiter>(ReadOnlySpan<byte> data)
        where TWaiter : struct, ITransportWaiter
    {
        IoWriteResult result = _transport.Write(data, flush: false);
        if (result.IsError)
        {
            throw new IOException($"Could not send data to client: {result.Error}.");
        }

        return result.Pending > HighWaterMark ? FlushOutputAsync<TWaiter>() : ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendErrorAndCloseAsync<TWaiter>(int statusCode, string? reason)
        where TWaiter : struct, ITransportWaiter
    {
        try
        {
            _transport.Write(ErrorResponse.Format(statusCode, reason, _context.StaticHeaderBytes), flush: false);
            await CloseGracefullyAsync<TWaiter>().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>
    /// Flushes, half-closes, and waits up to the drain timeout for the client's end of input before
    /// closing, so the response is not lost to an RST caused by unread input.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask CloseGracefullyAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        await FlushOutputAsync<TWaiter>().ConfigureAwait(false);
        _transport.ShutdownSend();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            InputWait wait = await ReadInputAsync<TWaiter>(Remaining(started, _context.Options.DrainTimeout)).ConfigureAwait(false);
            if (!wait.Arrived(out ReadResult result))
            {
                Abort();
                return;
            }

            _transport.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
