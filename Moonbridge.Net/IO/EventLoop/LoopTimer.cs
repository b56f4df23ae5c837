namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// Something an event loop fires at a due time (<see cref="LoopTimers"/>): a connection's <see cref="Internal.Deadline"/>,
/// or the idle limit of a connection resting between requests. It carries its own place in the loop's heap, so the
/// heap needs no node or timer object of its own.
/// </summary>
internal abstract class LoopTimer
{
    /// <summary>This timer's place in its loop's heap, -1 when not there.</summary>
    internal int TimerIndex { get; set; } = -1;

    /// <summary>When its loop's heap fires it (a system timestamp).</summary>
    internal long TimerDue { get; set; }

    /// <summary>Runs on the loop's thread once due, after the timer left the heap.</summary>
    internal abstract void OnTimer();
}
