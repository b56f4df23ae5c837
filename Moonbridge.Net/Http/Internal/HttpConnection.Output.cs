using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The connection's output: responses are written into the socket's queue and flushed before the
/// connection waits for input (so pipelined answers leave together), with back-pressure; error answers and
/// the graceful close.
/// </summary>
internal sealed partial class HttpConnection
{
    /// <summary>Hands queued output to the kernel, waiting (each wait bounded by the stall timeout) until all is taken.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask FlushOutputAsync(bool async)
    {
        IoWriteResult result = _io.Write(ReadOnlySpan<byte>.Empty, flush: true);
        while (!result.IsError && result.Pending > 0)
        {
            (TimeSpan limit, bool rateBound) = OutputWaitLimit();
            long waitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            long pendingBefore = result.Pending;
            CancellationToken token = StartTimeout(limit);
            try
            {
                ValueTask wait = _io.WaitWritableAsync(token);
                if (async)
                {
                    await wait.ConfigureAwait(false);
                }
                else
                {
                    SyncWait.Wait(wait);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // As the original does: a stalled client's connection is reset, and the request is faulty.
                Abort();
                if (rateBound)
                {
                    HttpLog.ResponseDataRateTooLow(_context.Logger, _context.Options.MinimumResponseDataRate, _request.Method, _request.Target);
                    throw new IOException("Client connection reads the response too slowly.");
                }

                throw new IOException("Client connection stalled.");
            }
            finally
            {
                StopTimeout();
            }

            result = _io.Write(ReadOnlySpan<byte>.Empty, flush: true);
            CountOutputWait(waitStarted, pendingBefore, result.Pending);
        }

        if (result.IsError)
        {
            throw new IOException($"Could not send data to client: {result.Error}.");
        }
    }

    /// <summary>Queues output; past a high-water mark it waits for the client to take it (back-pressure).</summary>
    internal ValueTask WriteOutputAsync(bool async, ReadOnlySpan<byte> data)
    {
        IoWriteResult result = _io.Write(data, flush: false);
        if (result.IsError)
        {
            throw new IOException($"Could not send data to client: {result.Error}.");
        }

        return result.Pending > HighWaterMark ? FlushOutputAsync(async) : ValueTask.CompletedTask;
    }

    private const long HighWaterMark = 256 * 1024;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendErrorAndCloseAsync(bool async, int statusCode, string? reason)
    {
        try
        {
            _io.Write(ErrorResponse.Format(statusCode, reason, _context.StaticHeaderBytes), flush: false);
            await CloseGracefullyAsync(async).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>
    /// Flushes, half-closes, and waits up to the drain timeout for the client's end of input before
    /// closing, so the response is not lost to an RST caused by unread input.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal async ValueTask CloseGracefullyAsync(bool async)
    {
        await FlushOutputAsync(async).ConfigureAwait(false);
        _io.ShutdownSend();
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (true)
        {
            ReadResult result;
            try
            {
                result = await ReadInputAsync(async, Remaining(started, _context.Options.DrainTimeout)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Abort();
                return;
            }

            _io.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }
}
