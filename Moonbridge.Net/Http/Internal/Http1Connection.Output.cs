using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The connection's output: responses are written into the transport's queue and flushed before the
/// connection waits for input (so pipelined answers leave together), with back-pressure; error answers.
/// </summary>
internal sealed partial class Http1Connection
{
    private const long HighWaterMark = 256 * 1024;

    /// <summary>
    /// Hands queued output to the kernel, waiting (each wait bounded by the stall timeout and the response data
    /// rate) until all is taken. A failure is the handler's <see cref="IOException"/>: the public API's word for
    /// a broken connection. Output the kernel takes at once completes without an async method.
    /// </summary>
    internal ValueTask FlushOutputAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        ValueTask<OutputFlush> flush = TryFlushOutputAsync<TWaiter>();
        if (!flush.IsCompletedSuccessfully)
        {
            return ThrowUnlessFlushedAsync(flush);
        }

        flush.Result.ThrowUnlessDone();
        return ValueTask.CompletedTask;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask ThrowUnlessFlushedAsync(ValueTask<OutputFlush> flush)
        => (await flush.ConfigureAwait(false)).ThrowUnlessDone();

    /// <summary>Flushes as <see cref="FlushOutputAsync"/> does, telling how it ended instead of throwing; a stalled connection is reset.</summary>
    internal ValueTask<OutputFlush> TryFlushOutputAsync<TWaiter>()
        where TWaiter : struct, ITransportWaiter
    {
        ValueTask<IoWriteResult> drain = OutputDrain.FlushAsync<TWaiter, ResponsePacing>(_transport, _pacing);
        return drain.IsCompletedSuccessfully
            ? new ValueTask<OutputFlush>(drain.Result.IsError ? OutputFlush.Failed : OutputFlush.Done)
            : AwaitFlushAsync(drain);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<OutputFlush> AwaitFlushAsync(ValueTask<IoWriteResult> drain)
    {
        IoWriteResult result;
        try
        {
            result = await drain.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_pacing.RateBound is { } rateBound)
        {
            // As the original does: a stalled client's connection is reset, and the request is faulty.
            Abort();
            if (rateBound)
            {
                HttpLog.ResponseDataRateTooLow(Context.Logger, Context.Options.MinimumResponseDataRate, _head.Method, _head.Target);
                return OutputFlush.TooSlow;
            }

            return OutputFlush.Stalled;
        }

        return result.IsError ? OutputFlush.Failed : OutputFlush.Done;
    }

    /// <summary>
    /// Queues output; past a high-water mark it waits for the client to take it (back-pressure). The output that
    /// <paramref name="endsResponse"/> goes to the kernel at once when no request can be behind it (its head was the
    /// last input read, it had no body), straight from <paramref name="data"/>: nothing could join it in one send.
    /// </summary>
    internal ValueTask WriteOutputAsync<TWaiter>(ReadOnlySpan<byte> data, bool endsResponse = false)
        where TWaiter : struct, ITransportWaiter
    {
        IoWriteResult result = _transport.Write(data, flush: endsResponse && _headEndedInput && Body.IsComplete);
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
        _transport.Write(ErrorResponse.Format(statusCode, reason, Context.StaticHeaderBytes), flush: false);
        await ConnectionClose.GracefullyAsync<TWaiter>(this).ConfigureAwait(false);
    }
}
