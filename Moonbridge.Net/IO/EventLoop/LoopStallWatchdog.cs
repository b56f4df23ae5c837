using System.Diagnostics;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// Notices an event loop stuck in one turn: async handlers start and continue on the loops, so one that blocks (a
/// synchronous call, a long computation) holds up every connection of its loop, and nothing else would say so.
/// Once a second it looks at when each loop's current turn began; a turn older than <see cref="Threshold"/> is
/// reported once, through <see cref="Stalled"/> (the server logs it).
/// </summary>
internal static class LoopStallWatchdog
{
    /// <summary>How long one turn may take before it is reported.</summary>
    internal static readonly TimeSpan Threshold = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(1);
    private static Timer? s_timer;
    private static long[] s_reported = [];

    /// <summary>A loop (its index) has been in one turn for the given time, and still is.</summary>
    internal static event Action<int, TimeSpan>? Stalled;

    /// <summary>Starts watching <paramref name="loops"/>; once per process, with the loops.</summary>
    internal static void Start(EpollLoop[] loops)
    {
        s_reported = new long[loops.Length];
        using (ExecutionContext.SuppressFlow())
        {
            s_timer = new Timer(static state => Check((EpollLoop[])state!), loops, s_period, s_period);
        }
    }

    private static void Check(EpollLoop[] loops)
    {
        long now = Stopwatch.GetTimestamp();
        for (int i = 0; i < loops.Length; i++)
        {
            long since = loops[i].BusySince;
            if (since == 0 || since == s_reported[i])
            {
                continue;
            }

            TimeSpan busy = Stopwatch.GetElapsedTime(since, now);
            if (busy < Threshold)
            {
                continue;
            }

            s_reported[i] = since;
            try
            {
                Stalled?.Invoke(loops[i].Index, busy);
            }
#pragma warning disable CA1031 // A subscriber's failure must not end the process from a timer thread.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }
}
