using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server;

/// <summary>
/// The <c>listen{...}</c> table as a type: listeners, the worker-pool options with the original's
/// defaults, and the prepare/connect/finish handlers. Set exactly one of <see cref="Connect"/> and
/// <see cref="ConnectAsync"/>.
/// </summary>
public sealed class ListenOptions
{
    private static readonly TimeSpan s_maxTime = TimeSpan.FromSeconds(1e8);

    /// <summary>Name of the pool in logs and on <see cref="WorkerContext.PoolName"/>.</summary>
    public string Name { get; set; } = "pool";

    /// <summary>Where connections come from (1 to 100 entries).</summary>
    public IList<ListenerSpec> Listeners { get; } = new List<ListenerSpec>();

    /// <summary>Desired number of idle (spare) workers (Lua <c>pre_fork</c>, default 1).</summary>
    public int PreFork { get; set; } = 1;

    /// <summary>Minimum number of workers (Lua <c>min_fork</c>); default <c>max(PreFork, 2)</c>.</summary>
    public int? MinFork { get; set; }

    /// <summary>
    /// Maximum number of workers, and so of handlers running at once (Lua <c>max_fork</c>); default
    /// <c>max(MinFork, 16)</c>. With <see cref="ConnectAsync"/>, a connection waiting for its client
    /// (an idle HTTP keep-alive connection, one that has not sent its request yet) holds no worker, so
    /// this bounds handlers busy with a request, not open connections; see <see cref="MaxConnections"/>.
    /// With <see cref="Connect"/>, a connection keeps its worker's thread to the end, as in the original.
    /// </summary>
    public int? MaxFork { get; set; }

    /// <summary>
    /// Maximum number of connections open at once, over all listeners of the pool; further connections
    /// wait in the kernel's backlog. Default: with <see cref="ConnectAsync"/>, <c>max(MaxFork, 4096)</c>;
    /// with <see cref="Connect"/>, <c>MaxFork</c> (each connection holds a worker thread, so no more can
    /// be served anyway). Whatever the limit, the server also stops accepting while the process is close
    /// to its open-file limit (<c>RLIMIT_NOFILE</c>), keeping descriptors in reserve, and resumes when
    /// connections close.
    /// </summary>
    public int? MaxConnections { get; set; }

    /// <summary>
    /// Least time between starting two spare workers (Lua <c>fork_delay</c>, default 0.25 s), the ones the
    /// pool starts on its own to keep <see cref="PreFork"/> idle and <see cref="MinFork"/> alive. A
    /// connection that finds no idle worker starts one at once (up to <see cref="MaxFork"/>), so a burst of
    /// requests gets its workers in a burst; replacements for retired workers are not delayed either.
    /// </summary>
    public TimeSpan ForkDelay { get; set; } = TimeSpan.FromSeconds(0.25);

    /// <summary>
    /// Pause before starting workers again after a prepare handler failed (Lua <c>fork_error_delay</c>, default
    /// 2 s). A value below <see cref="ForkDelay"/> counts as <see cref="ForkDelay"/>, as in the original.
    /// </summary>
    public TimeSpan ForkErrorDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>While there are more than <c>MinFork</c> workers and more than <c>PreFork</c> idle, one idle worker retires per this time (Lua <c>exit_delay</c>, default 60 s).</summary>
    public TimeSpan ExitDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>A worker idle longer than this retires (Lua <c>idle_timeout</c>); zero (the default) means never.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Memory limit per worker in bytes (Lua <c>memory_limit</c>); 0 (the default) means none. In-process
    /// workers share one heap, so there the limit is only validated. With <see cref="WorkerProcesses"/>, a
    /// worker process whose working set exceeds the limit after a connection retires (runs the finish
    /// handler and exits) and is replaced; unlike the original's <c>setrlimit</c>, an allocation never fails.
    /// </summary>
    public long MemoryLimit { get; set; }

    /// <summary>Connections the kernel queues for each TCP or local listener (the original uses 1024).</summary>
    public int Backlog { get; set; } = 1024;

    /// <summary>How long a graceful stop waits for running handlers before it aborts them (default 30 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long closing a connection after its handler returned may wait to flush (default 10 s); then it is reset.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Run once when a worker starts (Lua <c>prepare</c>); a failure retires the worker and delays the next start.</summary>
    public WorkerHandler? Prepare { get; set; }

    /// <summary>Async form of <see cref="Prepare"/>.</summary>
    public AsyncWorkerHandler? PrepareAsync { get; set; }

    /// <summary>Blocking connect handler: each worker gets its own thread.</summary>
    public ConnectHandler? Connect { get; set; }

    /// <summary>Async connect handler: workers hold no thread while idle or waiting.</summary>
    public AsyncConnectHandler? ConnectAsync { get; set; }

    /// <summary>Run when a worker retires (Lua <c>finish</c>).</summary>
    public WorkerHandler? Finish { get; set; }

    /// <summary>Async form of <see cref="Finish"/>.</summary>
    public AsyncWorkerHandler? FinishAsync { get; set; }

    /// <summary>
    /// Zero-downtime restart, new process's side (Linux): the Unix socket path of a running server that
    /// is handing its listening sockets over (see <c>ListenerHandOver</c> in the hand-off namespace). When set,
    /// <see cref="MoonbridgeServer.Listen"/> connects there and adopts the TCP and local listeners that
    /// match this pool's entries instead of binding them, starts accepting on them, and then tells the
    /// old process, which stops accepting and drains. When nothing listens at the path, listeners are
    /// bound as usual, so the same configuration serves the first start and every restart. Null (the
    /// default) binds as usual.
    /// </summary>
    public string? InheritFrom { get; set; }

    /// <summary>
    /// Run the workers as child processes (Linux). This process keeps the listening sockets and accepts;
    /// each worker is this program started again (<see cref="Environment.ProcessPath"/> with the same
    /// arguments), which calls <see cref="MoonbridgeServer.Listen"/> with the same options, detects from
    /// its environment that it is a worker, runs the prepare handler and then the connect handler for one
    /// handed-off connection at a time, and the finish handler when it retires. The pool options schedule
    /// the processes as the original schedules its forks; a worker process that dies costs only its
    /// connection and is replaced (after <see cref="ForkErrorDelay"/>). Only TCP and local listeners are
    /// allowed, and a program may start only one pool with worker processes. False (the default) runs
    /// workers in this process. See docs/handoff.md.
    /// </summary>
    public bool WorkerProcesses { get; set; }

    /// <summary>
    /// The clock behind the pool's timeouts and deadlines (<see cref="CloseTimeout"/>, <see cref="ShutdownTimeout"/>,
    /// <see cref="MoonbridgeServer.Timeout(double)"/>, and the HTTP module's); <see cref="TimeProvider.System"/> by default.
    /// Tests set a fake one and advance it instead of waiting.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// What moves accepted connections' bytes: the library's own event loops on Linux, .NET's socket engine
    /// elsewhere (<see cref="TransportKind.Auto"/>, the default). Asking for <see cref="TransportKind.EventLoop"/> where
    /// it cannot run fails at <see cref="MoonbridgeServer.Listen"/>. See docs/listen.md.
    /// </summary>
    public TransportKind Transport { get; set; } = TransportKind.Auto;

    /// <summary>Where the server logs handler errors and worker changes; none by default.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    /// <summary>A copy of the settings (not the listeners, not the handlers).</summary>
    internal ListenOptions CopySettings() => new()
    {
        Name = Name,
        PreFork = PreFork,
        MinFork = MinFork,
        MaxFork = MaxFork,
        MaxConnections = MaxConnections,
        ForkDelay = ForkDelay,
        ForkErrorDelay = ForkErrorDelay,
        ExitDelay = ExitDelay,
        IdleTimeout = IdleTimeout,
        MemoryLimit = MemoryLimit,
        Backlog = Backlog,
        ShutdownTimeout = ShutdownTimeout,
        CloseTimeout = CloseTimeout,
        InheritFrom = InheritFrom,
        TimeProvider = TimeProvider,
        Transport = Transport,
        LoggerFactory = LoggerFactory,
    };

    internal bool IsMainOnly => Listeners.Count > 0 && Listeners.All(l => l is MainListenerSpec);

    /// <summary>The original raises <c>fork_error_delay</c> to <c>fork_delay</c>: a failure never restarts faster than success.</summary>
    internal TimeSpan EffectiveForkErrorDelay => ForkErrorDelay < ForkDelay ? ForkDelay : ForkErrorDelay;

    internal int EffectivePreFork => IsMainOnly ? 0 : PreFork;

    internal int EffectiveMinFork => IsMainOnly ? Listeners.Count : MinFork ?? Math.Max(PreFork, 2);

    internal int EffectiveMaxFork => IsMainOnly ? Listeners.Count : MaxFork ?? Math.Max(EffectiveMinFork, 16);

    internal int EffectiveMaxConnections => MaxConnections ?? (ConnectAsync is not null ? Math.Max(EffectiveMaxFork, 4096) : EffectiveMaxFork);

    internal void Validate()
    {
        if (Listeners.Count == 0)
        {
            throw new ArgumentException("No listeners specified.", nameof(Listeners));
        }

        if (Listeners.Count > 100)
        {
            throw new ArgumentException("Too many listeners (at most 100).", nameof(Listeners));
        }

        if ((Connect is null) == (ConnectAsync is null))
        {
            throw new ArgumentException("Set exactly one of Connect and ConnectAsync.", nameof(Connect));
        }

        if (Prepare is not null && PrepareAsync is not null)
        {
            throw new ArgumentException("Set at most one of Prepare and PrepareAsync.", nameof(Prepare));
        }

        if (Finish is not null && FinishAsync is not null)
        {
            throw new ArgumentException("Set at most one of Finish and FinishAsync.", nameof(Finish));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(PreFork, nameof(PreFork));
        ArgumentOutOfRangeException.ThrowIfLessThan(EffectiveMinFork, EffectivePreFork, nameof(MinFork));
        ArgumentOutOfRangeException.ThrowIfLessThan(EffectiveMaxFork, Math.Max(1, EffectiveMinFork), nameof(MaxFork));
        if (MaxConnections is { } maxConnections)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(maxConnections, 1, nameof(MaxConnections));
        }

        if (TimeProvider is null)
        {
            throw new ArgumentNullException(nameof(TimeProvider), "A time provider is required (TimeProvider.System by default).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MemoryLimit, nameof(MemoryLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(Backlog, 1, nameof(Backlog));
        foreach ((TimeSpan value, string name) in new[]
        {
            (ForkDelay, nameof(ForkDelay)), (ForkErrorDelay, nameof(ForkErrorDelay)), (ExitDelay, nameof(ExitDelay)),
            (IdleTimeout, nameof(IdleTimeout)), (ShutdownTimeout, nameof(ShutdownTimeout)), (CloseTimeout, nameof(CloseTimeout)),
        })
        {
            if (value < TimeSpan.Zero || value > s_maxTime)
            {
                throw new ArgumentOutOfRangeException(name, value, "A time option must lie between 0 and 1e8 seconds.");
            }
        }

        if (WorkerProcesses)
        {
            if (!OperatingSystem.IsLinux())
            {
                throw new PlatformNotSupportedException("Worker processes are supported on Linux only.");
            }

            if (Listeners.Any(l => l is not (TcpListenerSpec or LocalListenerSpec)))
            {
                throw new ArgumentException("With worker processes, only TCP and local listeners are allowed.", nameof(Listeners));
            }
        }

        foreach (ListenerSpec listener in Listeners)
        {
            switch (listener)
            {
                case TcpListenerSpec tcp when tcp.Port is < 0 or > 65535:
                    throw new ArgumentOutOfRangeException(nameof(Listeners), tcp.Port, "A TCP port must lie between 0 and 65535.");
                case TcpListenerSpec { DeferAccept: { } defer } when defer <= TimeSpan.Zero || defer > TimeSpan.FromHours(1):
                    throw new ArgumentOutOfRangeException(nameof(Listeners), defer, "A TCP listener's DeferAccept must be positive and at most an hour (or null for none).");
                case LocalListenerSpec local when string.IsNullOrEmpty(local.Path):
                    throw new ArgumentException("A local listener needs a path.", nameof(Listeners));
                case IntervalListenerSpec interval when interval.Delay <= TimeSpan.Zero || interval.Delay > s_maxTime:
                    throw new ArgumentOutOfRangeException(nameof(Listeners), interval.Delay, "An interval's delay must be positive and at most 1e8 seconds.");
                case null:
                    throw new ArgumentException("A listener entry is null.", nameof(Listeners));
            }
        }
    }
}
