using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The pacing of output waits: each wait for the client to take output is bounded by the stall timeout and
/// by the minimum response data rate, which weighs the time the server spent waiting against the bytes the
/// client took, so a client that reads a little just before each stall timeout cannot hold a connection and
/// its buffers for the whole response timeout.
/// </summary>
internal sealed partial class Http1Connection : IOutputPacing
{
    /// <summary>Time spent waiting for the client to take output during this exchange, in <see cref="System.Diagnostics.Stopwatch"/> ticks.</summary>
    private long _outputWaitTicks;

    /// <summary>Bytes the client took from the server during those waits.</summary>
    private long _outputTakenWhileWaiting;

    private long _outputWaitStarted;

    /// <summary>While an output wait runs: whether the data rate (true) or the stall timeout (false) bounds it.</summary>
    private bool? _outputWaitRateBound;

    /// <summary>Starts the measure afresh for a new exchange: each response is judged on its own.</summary>
    private void ResetResponseRate()
    {
        _outputWaitTicks = 0;
        _outputTakenWhileWaiting = 0;
    }

    /// <summary>
    /// Arms the next wait for output capacity: the stall timeout, or less when the client has used up the
    /// time <see cref="HttpOptions.MinimumResponseDataRate"/> gives it (the grace period plus one second per
    /// that many bytes taken while the server waited).
    /// </summary>
    CancellationToken IOutputPacing.BeginWait()
    {
        HttpOptions options = _context.Options;
        (TimeSpan limit, bool rateBound) = MinimumDataRate.WaitLimit(options.StallTimeout, options.MinimumResponseDataRate, options.MinimumResponseDataRateGracePeriod, _outputTakenWhileWaiting, _outputWaitTicks);
        _outputWaitStarted = System.Diagnostics.Stopwatch.GetTimestamp();
        _outputWaitRateBound = rateBound;
        return StartTimeout(limit);
    }

    void IOutputPacing.EndWait()
    {
        _outputWaitTicks += System.Diagnostics.Stopwatch.GetTimestamp() - _outputWaitStarted;
        if (!_timeout.IsCancellationRequested)
        {
            _outputWaitRateBound = null;
        }

        StopTimeout();
    }

    void IOutputPacing.Taken(long bytes) => _outputTakenWhileWaiting += bytes;
}
