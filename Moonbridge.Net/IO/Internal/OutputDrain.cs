using System.Runtime.CompilerServices;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Bounds and accounts the waits of one <see cref="OutputDrain.FlushAsync{TWaiter, TPacing}"/>: the token each
/// wait for room runs with (a stall timeout, a data rate), and what the client took meanwhile.
/// </summary>
internal interface IOutputPacing
{
    /// <summary>Before a wait for room: the token that ends it early.</summary>
    CancellationToken BeginWait();

    /// <summary>After the wait, however it ended (also when cancelled).</summary>
    void EndWait();

    /// <summary>The client took <paramref name="bytes"/> of the pending output during the last wait.</summary>
    void Taken(long bytes);
}

/// <summary>An <see cref="IOutputPacing"/> that bounds every wait by one caller's token and counts nothing.</summary>
internal readonly struct TokenPacing(CancellationToken cancellationToken) : IOutputPacing
{
    public CancellationToken BeginWait() => cancellationToken;

    public void EndWait()
    {
    }

    public void Taken(long bytes)
    {
    }
}

/// <summary>"Flush until done", once for every protocol layer: hand queued output to the kernel, waiting for room until all is taken.</summary>
internal static class OutputDrain
{
    /// <summary>
    /// Flushes <paramref name="transport"/> until nothing is pending or writing failed (the result says which).
    /// A wait cancelled through <paramref name="pacing"/>'s token throws <see cref="OperationCanceledException"/>;
    /// the output stays queued. Output the kernel takes at once (every keep-alive response) completes without an
    /// async method.
    /// </summary>
    public static ValueTask<IoWriteResult> FlushAsync<TWaiter, TPacing>(IConnectionTransport transport, TPacing pacing)
        where TWaiter : struct, ITransportWaiter
        where TPacing : IOutputPacing
    {
        IoWriteResult result = transport.Write(ReadOnlySpan<byte>.Empty, flush: true);
        return result.IsError || result.Pending == 0
            ? new ValueTask<IoWriteResult>(result)
            : WaitForRoomAsync<TWaiter, TPacing>(transport, pacing, result);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<IoWriteResult> WaitForRoomAsync<TWaiter, TPacing>(IConnectionTransport transport, TPacing pacing, IoWriteResult result)
        where TWaiter : struct, ITransportWaiter
        where TPacing : IOutputPacing
    {
        while (!result.IsError && result.Pending > 0)
        {
            long pendingBefore = result.Pending;
            CancellationToken token = pacing.BeginWait();
            try
            {
                await default(TWaiter).WaitWritableAsync(transport, token).ConfigureAwait(false);
            }
            finally
            {
                pacing.EndWait();
            }

            result = transport.Write(ReadOnlySpan<byte>.Empty, flush: true);
            if (result.Pending < pendingBefore)
            {
                pacing.Taken(pendingBefore - result.Pending);
            }
        }

        return result;
    }
}
