using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// One event-loop thread and the epoll instance it owns. Sockets are registered once, edge-triggered for input and
/// output (no <c>epoll_ctl</c> per request); the loop reads them itself and hands input to their owners inline, so
/// code waiting for that input continues on this thread. Work from other threads (a close, a resumed receive)
/// comes through a queue and an eventfd written only when the loop has not been woken already.
/// </summary>
/// <remarks>
/// Events carry a slot index and the registration's id rather than the descriptor: a descriptor closed and reused
/// while its event is still in the batch cannot be mistaken for the new socket.
/// </remarks>
internal sealed unsafe class EpollLoop
{
    private const int MaxEvents = 256;
    private const ulong WakeData = ulong.MaxValue;

    [ThreadStatic]
    private static EpollLoop? t_current;

    private readonly int _wakeFd;
    private readonly Lock _slotsLock = new();
    private readonly Stack<int> _freeSlots = new();
    private readonly ConcurrentQueue<(Action<object?> Work, object? State)> _posted = new();
    private readonly Queue<EpollRegistration> _stillReadable = new();
    private EpollRegistration?[] _slots = new EpollRegistration?[64];
    private int _slotCount;
    private uint _lastId;
    private int _wakePending;
    private long _busySince;

    /// <summary>The loop's index, boxed once for the metrics' tag.</summary>
    private object? _indexTag;

    private EpollLoop(int epollFd, int wakeFd, int index)
    {
        EpollFd = epollFd;
        _wakeFd = wakeFd;
        Index = index;
        Timers = new LoopTimers(this);
    }

    /// <summary>The loop whose thread this is, or null off the loops.</summary>
    internal static EpollLoop? Current => t_current;

    internal int EpollFd { get; }

    internal int Index { get; }

    /// <summary>The deadlines of this loop's connections, fired between its turns.</summary>
    internal LoopTimers Timers { get; }

    /// <summary>When the loop's current turn began (a <see cref="System.Diagnostics.Stopwatch"/> timestamp); 0 while it waits for events.</summary>
    internal long BusySince => Volatile.Read(ref _busySince);

    /// <summary>
    /// <paramref name="clock"/>'s timestamp, read once per turn: on a loop's thread during a turn with the system clock,
    /// the turn's start, else the clock. Code that stamps or arms per request (an idle deadline, a worker going idle)
    /// runs inside a turn of a few microseconds, so the turn's start is as good as the clock and costs no clock read.
    /// </summary>
    internal static long Timestamp(TimeProvider clock)
    {
        long turnStarted = clock == TimeProvider.System && t_current is { } loop ? loop.BusySince : 0;
        return turnStarted != 0 ? turnStarted : clock.GetTimestamp();
    }

    /// <summary>Registrations alive on this loop.</summary>
    internal int Count { get; private set; }

    /// <summary>Creates the epoll instance and its wake-up eventfd and starts the thread.</summary>
    internal static EpollLoop Start(int index)
    {
        int epollFd = EpollInterop.EpollCreate1(EpollInterop.EpollCloexec);
        if (epollFd < 0)
        {
            throw new SocketException((int)EpollInterop.ToSocketError(Marshal.GetLastPInvokeError()));
        }

        int wakeFd = EpollInterop.EventFd(0, EpollInterop.EfdCloexec | EpollInterop.EfdNonBlock);
        if (wakeFd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = EpollInterop.Close(epollFd);
            throw new SocketException((int)EpollInterop.ToSocketError(errno));
        }

        byte* wakeEvent = stackalloc byte[16];
        EpollInterop.WriteEvent(wakeEvent, EpollInterop.EpollIn, WakeData);
        if (EpollInterop.EpollCtl(epollFd, EpollInterop.EpollCtlAdd, wakeFd, wakeEvent) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            _ = EpollInterop.Close(wakeFd);
            _ = EpollInterop.Close(epollFd);
            throw new SocketException((int)EpollInterop.ToSocketError(errno));
        }

        var loop = new EpollLoop(epollFd, wakeFd, index);

        // Loop threads start with the default execution context: nothing a creator set flows into every connection.
        using (ExecutionContext.SuppressFlow())
        {
            new Thread(loop.Run) { IsBackground = true, Name = $"Moonbridge loop {index}" }.Start();
        }

        return loop;
    }

    /// <summary>
    /// Takes a slot for <paramref name="socket"/>, from any thread. Nothing is watched until <see cref="Watch"/>: the
    /// client first keeps the registration, because events may come before <see cref="Watch"/> returns.
    /// </summary>
    internal EpollRegistration Reserve(SafeHandle socket, IEpollClient client)
    {
        lock (_slotsLock)
        {
            int slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotCount++;
            if (slot == _slots.Length)
            {
                EpollRegistration?[] grown = new EpollRegistration?[_slots.Length * 2];
                _slots.CopyTo(grown, 0);
                Volatile.Write(ref _slots, grown);
            }

            _lastId = _lastId == uint.MaxValue ? 1 : _lastId + 1;
            var registration = new EpollRegistration(this, socket, client, slot, _lastId);
            Volatile.Write(ref _slots[slot], registration);
            Count++;
            return registration;
        }
    }

    /// <summary>Registers the reserved socket for input, output and the peer's half-close, edge-triggered, once.</summary>
    internal void Watch(EpollRegistration registration)
    {
        byte* registered = stackalloc byte[16];
        const uint interest = EpollInterop.EpollIn | EpollInterop.EpollOut | EpollInterop.EpollRdHup | EpollInterop.EpollEdgeTriggered;
        EpollInterop.WriteEvent(registered, interest, ((ulong)registration.Id << 32) | (uint)registration.Slot);
        if (EpollInterop.EpollCtl(EpollFd, EpollInterop.EpollCtlAdd, registration.Fd, registered) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            FreeSlot(registration);
            throw new SocketException((int)EpollInterop.ToSocketError(errno));
        }
    }

    /// <summary>Frees the registration's slot and runs its client's <see cref="IEpollClient.OnClosed"/> on the loop.</summary>
    internal void Remove(EpollRegistration registration)
    {
        FreeSlot(registration);
        Post(static state => ((IEpollClient)state!).OnClosed(), registration.Client);
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the loop at the end of its current or next turn, never inside the caller:
    /// a close requested by code the loop is running for that same socket must not pull its buffers away mid-call.
    /// </summary>
    internal void Post(Action<object?> work, object? state)
    {
        _posted.Enqueue((work, state));
        if (t_current != this)
        {
            Wake();
        }
    }

    /// <summary>Wakes the loop from <c>epoll_wait</c>, unless a wake-up is pending already.</summary>
    internal void Wake()
    {
        if (Volatile.Read(ref _wakePending) == 0 && Interlocked.Exchange(ref _wakePending, 1) == 0)
        {
            ulong one = 1;
            _ = EpollInterop.Write(_wakeFd, &one, sizeof(ulong));
        }
    }

    /// <summary>On the loop's thread: <paramref name="registration"/> has input left; come back to it before sleeping.</summary>
    internal void Revisit(EpollRegistration registration) => _stillReadable.Enqueue(registration);

    private void FreeSlot(EpollRegistration registration)
    {
        lock (_slotsLock)
        {
            if (_slots[registration.Slot] == registration)
            {
                Volatile.Write(ref _slots[registration.Slot], null);
                _freeSlots.Push(registration.Slot);
                Count--;
            }
        }
    }

    private void Run()
    {
        t_current = this;
        ReceiveLoopThread.MarkLoopThread();
        byte* events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * EpollInterop.EventSize));
        while (true)
        {
            int timeout = _stillReadable.Count > 0 || !_posted.IsEmpty ? 0 : Timers.SleepMilliseconds();
            Volatile.Write(ref _busySince, 0);
            int ready = EpollInterop.EpollWait(EpollFd, events, MaxEvents, timeout);
            long turnStarted = System.Diagnostics.Stopwatch.GetTimestamp();
            Volatile.Write(ref _busySince, turnStarted);
            Timers.MarkAwake();
            if (ready < 0)
            {
                // EINTR: the runtime signals threads (GC suspension, child processes); epoll_wait is never restarted.
                continue;
            }

            EpollRegistration?[] slots = Volatile.Read(ref _slots);
            for (int i = 0; i < ready; i++)
            {
                ulong data = EpollInterop.DataAt(events, i);
                if (data == WakeData)
                {
                    ulong count;
                    _ = EpollInterop.Read(_wakeFd, &count, sizeof(ulong));

                    // Cleared before the queue is drained: work posted after this point writes the eventfd again.
                    Interlocked.Exchange(ref _wakePending, 0);
                    continue;
                }

                int slot = (int)(uint)data;
                EpollRegistration? registration = slot < slots.Length ? Volatile.Read(ref slots[slot]) : null;
                if (registration is null || registration.Id != (uint)(data >> 32) || registration.IsClosed)
                {
                    continue;
                }

                Dispatch(registration, EpollInterop.EventsAt(events, i));
            }

            RunPosted();
            RevisitStillReadable();
            Timers.FireDue(turnStarted);
            if (EventLoopMetrics.Enabled)
            {
                EventLoopMetrics.Turn(turnStarted, ready, _indexTag ??= Index);
            }
        }
    }

    private void Dispatch(EpollRegistration registration, uint events)
    {
        if ((events & (EpollInterop.EpollOut | EpollInterop.EpollErr | EpollInterop.EpollHup)) != 0)
        {
            registration.SignalWritable();
        }

        if ((events & (EpollInterop.EpollIn | EpollInterop.EpollRdHup | EpollInterop.EpollHup | EpollInterop.EpollErr)) != 0)
        {
            Receive(registration, (events & (EpollInterop.EpollRdHup | EpollInterop.EpollHup | EpollInterop.EpollErr)) != 0);
        }
    }

    private void Receive(EpollRegistration registration, bool peerClosing)
    {
        bool more;
        try
        {
            more = registration.Client.OnReadable(peerClosing);
        }
        catch (Exception e)
        {
            registration.Client.OnFault(e);
            return;
        }

        if (more)
        {
            _stillReadable.Enqueue(registration);
        }
    }

    /// <summary>
    /// Runs the work posted before this point; work it posts in turn waits for the next turn, after the next events:
    /// an accept loop that yields its turn (<see cref="LoopTurnYield"/>) while connections keep coming would otherwise
    /// never let the loop wait for events again.
    /// </summary>
    private void RunPosted()
    {
        for (int pending = _posted.Count; pending > 0 && _posted.TryDequeue(out (Action<object?> Work, object? State) item); pending--)
        {
            try
            {
                item.Work(item.State);
            }
            catch (Exception e)
            {
                // Only the library posts here; a failure ends the client it was for, never the loop.
                (item.State as IEpollClient)?.OnFault(e);
            }
        }
    }

    /// <summary>Clients that left input unread get another share, each once per turn, in arrival order.</summary>
    private void RevisitStillReadable()
    {
        for (int pending = _stillReadable.Count; pending > 0; pending--)
        {
            EpollRegistration registration = _stillReadable.Dequeue();
            if (!registration.IsClosed)
            {
                Receive(registration, peerClosing: false);
            }
        }
    }
}
