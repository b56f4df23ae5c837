using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The pacing of a connection's output waits: each wait for the client to take output is bounded by the stall
/// timeout and by the minimum response data rate, which weighs the time the server spent waiting against the
/// bytes the client took, so a client that reads a little just before each stall timeout cannot hold a
/// connection and its buffers for the whole response timeout. Waits run on the connection's wait deadline.
/// </summary>
internal sealed class ResponsePacing(Deadline waits, TimeProvider time, HttpOptions options) : IOutputPacing
{
    /// <summary>Time spent waiting for the client to take output during this exchange, in timestamp ticks of the connection's clock.</summary>
    private long _waitTicks;

    /// <summary>Bytes the client took from the server during those waits.</summary>
    private long _takenWhileWaiting;

    private long _waitStarted;

    /// <summary>
    /// While a wait runs, and after one that expired: whether the data rate (true) or the stall timeout (false)
    /// bounded it; null after a wait that ended in time.
    /// </summary>
    public bool? RateBound { get; private set; }

    /// <summary>Starts the measure afresh for a new exchange: each response is judged on its own.</summary>
    public void Reset()
    {
        _waitTicks = 0;
        _takenWhileWaiting = 0;
    }

    /// <summary>
    /// Arms the next wait for output capacity: the stall timeout, or less when the client has used up the
    /// time <see cref="HttpOptions.MinimumResponseDataRate"/> gives it (the grace period plus one second per
    /// that many bytes taken while the server waited).
    /// </summary>
    public CancellationToken BeginWait()
    {
        (TimeSpan limit, bool rateBound) = MinimumDataRate.WaitLimit(options.StallTimeout, options.MinimumResponseDataRate, options.MinimumResponseDataRateGracePeriod, _takenWhileWaiting, time.GetElapsedTime(0, _waitTicks));
        _waitStarted = time.GetTimestamp();
        RateBound = rateBound;
        return waits.ArmForRest(limit);
    }

    public void EndWait()
    {
        _waitTicks += time.GetTimestamp() - _waitStarted;
        if (!waits.Disarm())
        {
            RateBound = null;
        }
    }

    public void Taken(long bytes) => _takenWhileWaiting += bytes;
}
