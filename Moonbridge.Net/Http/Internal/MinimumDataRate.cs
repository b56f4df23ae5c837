namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The rule shared by the minimum request body and response data rates: a client may keep the server
/// waiting for the grace period plus one second per <c>rate</c> bytes it moved while the server waited.
/// Only time spent waiting for the client counts, never the handler's own.
/// </summary>
internal static class MinimumDataRate
{
    private static readonly TimeSpan s_shortestWait = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// How long the next wait may take: the stall timeout, or less when the client has used up its time
    /// (then <c>RateBound</c> is true, so the caller can say which limit ended the wait).
    /// </summary>
    public static (TimeSpan Wait, bool RateBound) WaitLimit(TimeSpan stallTimeout, double bytesPerSecond, TimeSpan gracePeriod, long bytesMoved, TimeSpan waited)
    {
        if (bytesPerSecond <= 0)
        {
            return (stallTimeout, false);
        }

        double allowedSeconds = gracePeriod.TotalSeconds + (bytesMoved / bytesPerSecond);
        TimeSpan left = TimeSpan.FromSeconds(Math.Min(allowedSeconds, TimeSpan.MaxValue.TotalSeconds / 2))
            - waited;
        if (left < s_shortestWait)
        {
            left = s_shortestWait;
        }

        return stallTimeout != Timeout.InfiniteTimeSpan && stallTimeout <= left ? (stallTimeout, false) : (left, true);
    }
}
