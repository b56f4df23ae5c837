using System.Diagnostics;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// The deadlines of one event loop's connections (every <see cref="Deadline"/> made on the loop's thread on the
/// system clock), fired by the loop itself: it sleeps in <c>epoll_wait</c> no longer than until the earliest. No timer
/// object per deadline, no timer thread, and an expiry runs where the connection's input is handled.
/// </summary>
/// <remarks>
/// A binary heap on due time in which every deadline knows its own place, so moving or removing one (a connection that
/// closes) costs a logarithm of the count and leaves nothing behind. Deadlines are armed from any thread; the loop is
/// woken only when one falls due before the time it planned to wake at.
/// </remarks>
internal sealed class LoopTimers
{
    /// <summary><see cref="_wakeAt"/> while the loop is awake: it looks at the heap again before it sleeps.</summary>
    private const long Awake = long.MinValue;

    private readonly EpollLoop _loop;
    private readonly Lock _lock = new();
    private LoopTimer[] _heap = new LoopTimer[64];
    private int _count;
    private long _wakeAt = Awake;

    internal LoopTimers(EpollLoop loop) => _loop = loop;

    /// <summary>Deadlines waiting.</summary>
    internal int Count => Volatile.Read(ref _count);

    /// <summary>Puts <paramref name="deadline"/> in the heap, due at <paramref name="due"/> (a <see cref="Stopwatch"/> timestamp), or moves it there.</summary>
    internal void Schedule(LoopTimer deadline, long due)
    {
        bool wake;
        lock (_lock)
        {
            int at = deadline.TimerIndex;
            bool added = at < 0;
            if (added)
            {
                if (_count == _heap.Length)
                {
                    Array.Resize(ref _heap, _heap.Length * 2);
                }

                at = _count++;
                _heap[at] = deadline;
                deadline.TimerIndex = at;
            }

            long before = deadline.TimerDue;
            deadline.TimerDue = due;
            if (added || due < before)
            {
                SiftUp(at);
            }
            else
            {
                SiftDown(at);
            }

            wake = due < _wakeAt;
        }

        if (wake && EpollLoop.Current != _loop)
        {
            _loop.Wake();
        }
    }

    /// <summary>Takes <paramref name="deadline"/> out of the heap, if it is there.</summary>
    internal void Remove(LoopTimer deadline)
    {
        lock (_lock)
        {
            int at = deadline.TimerIndex;
            if (at < 0)
            {
                return;
            }

            RemoveAt(at);
        }
    }

    /// <summary>
    /// On the loop's thread, before it sleeps: how long it may (<c>-1</c>: until woken), rounded up to whole
    /// milliseconds, so it never wakes before the earliest deadline is due.
    /// </summary>
    internal int SleepMilliseconds()
    {
        lock (_lock)
        {
            if (_count == 0)
            {
                _wakeAt = long.MaxValue;
                return -1;
            }

            long due = _heap[0].TimerDue;
            _wakeAt = due;
            long rest = due - Stopwatch.GetTimestamp();
            if (rest <= 0)
            {
                return 0;
            }

            // A deadline weeks away would overflow the multiplication: the loop wakes after ~24 days and looks again.
            long longestSleep = (long)int.MaxValue * Stopwatch.Frequency / 1000;
            long milliseconds = ((Math.Min(rest, longestSleep) * 1000) + Stopwatch.Frequency - 1) / Stopwatch.Frequency;
            return (int)Math.Min(milliseconds, int.MaxValue);
        }
    }

    /// <summary>On the loop's thread, when <c>epoll_wait</c> returned: deadlines armed from now on need not wake it.</summary>
    internal void MarkAwake() => Volatile.Write(ref _wakeAt, Awake);

    /// <summary>
    /// On the loop's thread, at the end of a turn: fires every deadline due by <paramref name="now"/> (the turn's start,
    /// read once for the turn and the stall watchdog), each outside the heap's lock (expiry may arm again).
    /// </summary>
    internal void FireDue(long now)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            return;
        }

        while (true)
        {
            LoopTimer due;
            lock (_lock)
            {
                if (_count == 0 || _heap[0].TimerDue > now)
                {
                    return;
                }

                due = _heap[0];
                RemoveAt(0);
            }

            due.OnTimer();
        }
    }

    private void RemoveAt(int at)
    {
        LoopTimer removed = _heap[at];
        removed.TimerIndex = -1;
        int last = --_count;
        if (at != last)
        {
            LoopTimer moved = _heap[last];
            _heap[at] = moved;
            moved.TimerIndex = at;
            if (moved.TimerDue < removed.TimerDue)
            {
                SiftUp(at);
            }
            else
            {
                SiftDown(at);
            }
        }

        _heap[last] = null!;
    }

    private void SiftUp(int at)
    {
        LoopTimer item = _heap[at];
        while (at > 0)
        {
            int parent = (at - 1) / 2;
            if (_heap[parent].TimerDue <= item.TimerDue)
            {
                break;
            }

            Place(_heap[parent], at);
            at = parent;
        }

        Place(item, at);
    }

    private void SiftDown(int at)
    {
        LoopTimer item = _heap[at];
        while (true)
        {
            int child = (2 * at) + 1;
            if (child >= _count)
            {
                break;
            }

            if (child + 1 < _count && _heap[child + 1].TimerDue < _heap[child].TimerDue)
            {
                child++;
            }

            if (item.TimerDue <= _heap[child].TimerDue)
            {
                break;
            }

            Place(_heap[child], at);
            at = child;
        }

        Place(item, at);
    }

    private void Place(LoopTimer item, int at)
    {
        _heap[at] = item;
        item.TimerIndex = at;
    }
}
