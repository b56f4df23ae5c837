namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The minimum response data rate: the time the server spends waiting for the client to take output is
/// bounded by the bytes it took, so a client that reads a little just before each stall timeout cannot hold
/// a connection and its buffers for the whole response timeout.
/// </summary>
internal sealed partial class HttpConnection
{
    /// <summary>Time spent waiting for the client to take output during this exchange, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    private long _outputWaitTicks;

    /// <summary>Bytes the client took from the server during those waits.</summary>
    private long _outputTakenWhileWaiting;

    /// <summary>Starts the measure afresh for a new exchange: each response is judged on its own.</summary>
    internal void ResetResponseRate()
    {
        _outputWaitTicks = 0;
        _outputTakenWhileWaiting = 0;
    }

    /// <summary>
    /// How long the next wait for output capacity may take: the stall timeout, or less when the client has
    /// used up the time <see cref="HttpOptions.MinimumResponseDataRate"/> gives it (the grace period plus one
    /// second per that many bytes taken while the server waited).
    /// </summary>
    private (TimeSpan Wait, bool RateBound) OutputWaitLimit()
    {
        HttpOptions options = _context.Options;
        return MinimumDataRate.WaitLimit(options.StallTimeout, options.MinimumResponseDataRate, options.MinimumResponseDataRateGracePeriod, _outputTakenWhileWaiting, _outputWaitTicks);
    }

    private void CountOutputWait(long waitStarted, long pendingBefore, long pendingAfter)
    {
        _outputWaitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - waitStarted;
        if (pendingAfter < pendingBefore)
        {
            _outputTakenWhileWaiting += pendingBefore - pendingAfter;
        }
    }
}
