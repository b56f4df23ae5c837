using System.Diagnostics;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// A keep-alive connection resting between requests after its connect call returned: no worker, no handler scope, no
/// pending method, no HTTP state; its loop watches the socket and fires its idle limit. It leaves the rest once, for one
/// of three reasons: the client spoke (served again), the idle limit ran out, or the server stops (both close it).
/// </summary>
/// <remarks>
/// This is what lets an idle connection cost little more than its socket: the connection, its input pipe, its loop
/// registration and this object (see docs/architecture.md, "What an open connection costs").
/// </remarks>
internal sealed class RestingConnection : LoopTimer, IRestListener
{
    private readonly ConnectionRunner _runner;
    private int _left;
    private bool _countedIdle;

    public RestingConnection(ConnectionRunner runner, MoonSocket socket, ConnectionGate? admission, long served)
    {
        _runner = runner;
        Socket = socket;
        Admission = admission;
        Served = served;
    }

    public MoonSocket Socket { get; }

    /// <summary>The gate whose place the connection holds.</summary>
    public ConnectionGate? Admission { get; }

    /// <summary>When the connection was first served (its connection metrics run across rests).</summary>
    public long Served { get; }

    private SocketConnection Connection => Socket.Connection!;

    /// <summary>Starts the rest: the idle limit on the loop's clock, then the watch for input.</summary>
    public void Begin(TimeSpan idleLimit)
    {
        if (ConnectionMetrics.Idle.Enabled)
        {
            _countedIdle = true;
            ConnectionMetrics.Idle.Add(1, new KeyValuePair<string, object?>(ConnectionMetrics.PoolTag, _runner.PoolName));
        }

        if (idleLimit != Timeout.InfiniteTimeSpan)
        {
            long ticks = (long)Math.Min(idleLimit.TotalSeconds * Stopwatch.Frequency, long.MaxValue / 4);
            Connection.Loop!.Timers.Schedule(this, Stopwatch.GetTimestamp() + ticks);
        }

        Connection.LoopReceiver?.Rest(this);
    }

    void IRestListener.OnWake()
    {
        if (TryLeave())
        {
            _runner.Wake(this);
        }
    }

    /// <summary>The idle limit ran out: the connection is closed, silently, as an idle keep-alive connection is.</summary>
    internal override void OnTimer()
    {
        if (TryLeave())
        {
            Connection.LoopReceiver?.StopResting();
            _runner.EndRest(this);
        }
    }

    /// <summary>The server stops: the connection is closed (from any thread; the work is done on its loop).</summary>
    public void Close()
    {
        if (Connection.Loop is not { } loop)
        {
            return;
        }

        loop.Post(static state => ((RestingConnection)state!).OnTimer(), this);
    }

    /// <summary>Leaves the rest, once: whichever reason comes first wins.</summary>
    private bool TryLeave()
    {
        if (Interlocked.Exchange(ref _left, 1) != 0)
        {
            return false;
        }

        Connection.Loop?.Timers.Remove(this);
        if (_countedIdle)
        {
            _countedIdle = false;
            ConnectionMetrics.Idle.Add(-1, new KeyValuePair<string, object?>(ConnectionMetrics.PoolTag, _runner.PoolName));
        }

        return true;
    }
}
