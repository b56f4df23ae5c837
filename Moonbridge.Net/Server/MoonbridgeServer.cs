using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>
/// A running <c>listen{...}</c> pool: its listeners accept connections and hand each to a worker's
/// connect handler. Start one with <see cref="Listen"/>; several may run in one process. Stop it
/// gracefully with <see cref="StopAsync"/>, or at once with <see cref="Abort"/>.
/// </summary>
public sealed partial class MoonbridgeServer : IAsyncDisposable
{
    private static readonly TimeSpan s_abandonAfter = TimeSpan.FromSeconds(5);

    private readonly ListenOptions _options;

    /// <summary>What the pool runs: the options themselves, or the worker-process handlers built from them.</summary>
    private readonly ListenOptions _poolOptions;

    /// <summary>Set in a worker process: the channel to the parent.</summary>
    private WorkerProcessChild? _child;
    private readonly ILogger _logger;
    private readonly ILogger _ioLogger;
    private readonly WorkerPool _pool;
    private readonly ConnectionGate _gate;

    /// <summary>Made once: every connection's handler scope shares it.</summary>
    private Action<HandlerScope>? _logHandlerTimedOut;
    private readonly List<MoonListener> _sockets = [];
    private readonly List<IConnectionSource> _sources = [];
    private readonly List<BoundListener> _listeners = [];
    private readonly List<Task> _loops = [];
    private readonly CancellationTokenSource _stopAccepting = new();
    private readonly CancellationTokenSource _abortHandlers = new();
    private readonly Lock _activeLock = new();
    private readonly HashSet<HandlerScope> _active = [];
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _abortRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _idle;
    private Task? _stopping;

    private MoonbridgeServer(ListenOptions options, ListenOptions? poolOptions = null)
    {
        _options = options;
        _poolOptions = poolOptions ?? options;
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Moonbridge.Net.Server");
        _ioLogger = loggerFactory.CreateLogger(IoLog.Category);
        _pool = new WorkerPool(_poolOptions, _logger, _abortHandlers.Token);
        _gate = new ConnectionGate(_poolOptions.EffectiveMaxConnections, _logger, options.Name);
        _listenerAccept = CancellationTokenSource.CreateLinkedTokenSource(_stopAccepting.Token);
    }

    /// <summary>
    /// Starts a pool (Lua <c>listen{...}</c>): binds every listener, starts the workers and begins
    /// accepting. Binding failures throw, and nothing is left listening.
    /// </summary>
    /// <param name="options">Listeners, pool options and handlers.</param>
    /// <exception cref="InvalidOperationException">Called from inside a prepare, connect or finish handler (the original refuses this too).</exception>
    public static MoonbridgeServer Listen(ListenOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (HandlerScope.Current is { } scope)
        {
            throw new InvalidOperationException($"Listen cannot be called from inside a prepare, connect or finish handler ({scope.Worker}); start pools from the main program.");
        }

        options.Validate();
        if (WorkerProcessEnvironment.Pool is not null)
        {
            return ListenAsWorkerProcess(options);
        }

        MoonbridgeServer server;
        if (options.WorkerProcesses)
        {
            ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
            var host = new WorkerProcessHost(options, loggerFactory.CreateLogger("Moonbridge.Net.Server"));
            server = new MoonbridgeServer(options, host.CreatePoolOptions());
            host.Redispatch = server.Dispatch;
        }
        else
        {
            server = new MoonbridgeServer(options);
        }

        InheritedListeners? inherited = null;
        try
        {
            inherited = options.InheritFrom is { } inheritFrom ? InheritedListeners.Receive(inheritFrom, (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger(HandOffLog.Category), options.Name) : null;
            server.Bind(inherited);
        }
        catch
        {
            inherited?.Dispose();
            server.CloseListeners();
            throw;
        }

        try
        {
            server.Begin();

            // Accepting on the inherited sockets has begun: the previous process may stop accepting now.
            inherited?.SignalReady();
        }
        finally
        {
            inherited?.Dispose();
        }

        return server;
    }

    /// <summary>In a worker process: becomes the pool's one worker, fed by the parent over hand-off.</summary>
    private static MoonbridgeServer ListenAsWorkerProcess(ListenOptions options)
    {
        if (!options.WorkerProcesses)
        {
            throw new InvalidOperationException($"This process is a worker process of pool '{WorkerProcessEnvironment.Pool}'; it cannot start pool '{options.Name}', which does not use worker processes.");
        }

        WorkerProcessChild child = WorkerProcessChild.Connect(options);
        var server = new MoonbridgeServer(options, child.CreatePoolOptions()) { _child = child };
        child.Ended = () => _ = server.StopAsync();
        try
        {
            server.Bind(null);
        }
        catch
        {
            server.CloseListeners();
            throw;
        }

        // The listeners as configured (they are bound in the parent).
        server._listeners.Clear();
        foreach (ListenerSpec spec in options.Listeners)
        {
            server._listeners.Add(new BoundListener(spec, null));
        }

        server.Begin();
        return server;
    }

    /// <summary>
    /// True in a worker process started by a pool with <see cref="ListenOptions.WorkerProcesses"/>: this
    /// server is that pool's single worker, fed by the parent; its <see cref="Listeners"/> have no endpoints.
    /// </summary>
    public bool IsWorkerProcess => _child is not null;

    /// <summary>The listeners, in the order given, with their bound endpoints.</summary>
    public IReadOnlyList<BoundListener> Listeners => _listeners;

    /// <summary>The pool's options.</summary>
    public ListenOptions Options => _options;

    /// <summary>Completes when the server has stopped (after <see cref="StopAsync"/>, <see cref="Abort"/>, or the end of a main listener).</summary>
    public Task Completion => _completion.Task;

    /// <summary>Workers currently alive (busy or idle).</summary>
    public int WorkerCount => _pool.Total;

    /// <summary>Workers currently idle.</summary>
    public int IdleWorkerCount => _pool.Idle;

    /// <summary>Connect handlers currently running.</summary>
    public int ActiveHandlerCount
    {
        get
        {
            lock (_activeLock)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>
    /// Stops gracefully: stops accepting, lets running handlers finish for up to
    /// <paramref name="gracePeriod"/> (default <see cref="ListenOptions.ShutdownTimeout"/>), then aborts the
    /// rest (cancelling their tokens and resetting their connections), and runs every worker's finish handler.
    /// </summary>
    /// <param name="gracePeriod">How long running handlers may take; zero aborts them at once.</param>
    public Task StopAsync(TimeSpan? gracePeriod = null)
    {
        TimeSpan grace = gracePeriod ?? _options.ShutdownTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero, nameof(gracePeriod));
        lock (_activeLock)
        {
            // Run the stop outside the lock: it calls finish handlers, which are user code.
            return _stopping ??= Task.Run(() => StopCoreAsync(grace));
        }
    }

    /// <summary>
    /// Fast shutdown: stops accepting and aborts running handlers at once (Lua: SIGINT). During a graceful
    /// stop, it ends the grace period now.
    /// </summary>
    public Task Abort()
    {
        _abortRequested.TrySetResult();
        return StopAsync(TimeSpan.Zero);
    }

    /// <summary>Stops gracefully; see <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    /// <summary>
    /// Runs until the server stops, stopping gracefully on SIGTERM and fast on SIGINT (Ctrl+C) and
    /// SIGQUIT. The original stops fast on SIGINT and SIGHUP; here SIGHUP is left to the application (the
    /// restart signal of a zero-downtime restart, see <c>ListenerHandOver</c>); unhandled, it ends the
    /// process at once. A warning is logged when SIGHUP is ignored by inheritance (<c>nohup</c>).
    /// </summary>
    /// <param name="cancellationToken">Stops the server gracefully when cancelled.</param>
    public async Task RunUntilSignalAsync(CancellationToken cancellationToken = default)
    {
        if (InheritedSignals.IsHangUpIgnored)
        {
            ServerLog.HangUpIgnored(_logger, _options.Name);
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        await using (cancellationToken.Register(() => _ = StopAsync()).ConfigureAwait(false))
        {
            await Completion.ConfigureAwait(false);
        }

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            _ = context.Signal == PosixSignal.SIGTERM ? StopAsync() : Abort();
        }
    }

    private void Bind(InheritedListeners? inherited)
    {
        int maxConnections = _poolOptions.EffectiveMaxConnections;
        if (maxConnections > DescriptorReserve.Limit && _poolOptions.Listeners.Any(l => l is TcpListenerSpec or LocalListenerSpec or IConnectionSourceSpec))
        {
            ServerLog.ConnectionLimitAboveFileLimit(_logger, _options.Name, maxConnections, DescriptorReserve.Limit, DescriptorReserve.Reserve);
        }

        foreach (ListenerSpec spec in _poolOptions.Listeners)
        {
            if (spec is IConnectionSourceSpec sourceSpec)
            {
                IConnectionSource source = sourceSpec.Open(_options.Backlog);
                _sources.Add(source);
                if (_child is null)
                {
                    ServerLog.Listening(_logger, _options.Name, source.LocalEndPoint?.ToString() ?? spec.ToString());
                }

                _listeners.Add(new BoundListener(spec, source.LocalEndPoint));
                continue;
            }

            MoonListener? socket = inherited?.Take(spec) ?? spec switch
            {
                TcpListenerSpec tcp => MoonbridgeIO.TcpListen(tcp.Host, tcp.Port, _options.Backlog),
                LocalListenerSpec local => MoonbridgeIO.LocalListen(local.Path, _options.Backlog),
                _ => null,
            };
            if (socket is not null)
            {
                _sockets.Add(socket);
                _socketSpecs.Add(spec);
                ServerLog.Listening(_logger, _options.Name, socket.LocalEndPoint.ToString() ?? spec.ToString());
            }

            _listeners.Add(new BoundListener(spec, socket?.LocalEndPoint));
        }
    }

    private void Begin()
    {
        _pool.Start();
        int socketIndex = 0;
        int sourceIndex = 0;
        foreach (ListenerSpec spec in _poolOptions.Listeners)
        {
            _loops.Add(spec switch
            {
                IntervalListenerSpec interval => IntervalLoopAsync(interval),
                MainListenerSpec main => MainAsync(main),
                IConnectionSourceSpec => AcceptLoopAsync(_sources[sourceIndex].AcceptAsync, _sources[sourceIndex++].LocalEndPoint?.ToString() ?? "listener"),
                _ => TrackListenerLoop(AcceptLoopAsync(_sockets[socketIndex].AcceptAsync, _sockets[socketIndex++].LocalEndPoint.ToString() ?? "listener", _listenerAccept.Token)),
            });
        }
    }

    /// <param name="accept">Takes the next connection.</param>
    /// <param name="name">The listener's name in logs.</param>
    /// <param name="acceptStop">
    /// Ends the loop; by default the server's stop. A connection already accepted is still given to a
    /// worker unless the server is stopping, so ending accepting early (listeners handed to another
    /// process) loses no connection.
    /// </param>
    private async Task AcceptLoopAsync(Func<CancellationToken, ValueTask<MoonSocket>> accept, string name, CancellationToken acceptStop = default)
    {
        CancellationToken stop = _stopAccepting.Token;
        if (!acceptStop.CanBeCanceled)
        {
            acceptStop = stop;
        }

        while (!acceptStop.IsCancellationRequested)
        {
            MoonSocket socket;
            try
            {
                await _gate.WaitForRoomAsync(acceptStop).ConfigureAwait(false);
                socket = await accept(acceptStop).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.TooManyOpenSockets)
            {
                // The rest of the process took the descriptors the reserve counted on: wait, logged once.
                try
                {
                    await _gate.OutOfDescriptorsAsync(acceptStop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }
            catch (SocketException e)
            {
                // E.g. out of file descriptors: back off instead of spinning.
                ServerLog.AcceptFailed(_logger, name, e);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), acceptStop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            IoLog.ConnectionAccepted(_ioLogger, socket.RemoteEndPoint, socket.LocalEndPoint);
            _gate.Admit();
            _ = ServeAcceptedAsync(socket, stop);
        }
    }

    /// <summary>
    /// Waits for a worker and serves an accepted connection. The accept loop does not wait for the worker
    /// itself: a connection of an async pool needs one only while its handler is busy (see <see cref="WorkerParking"/>).
    /// </summary>
    private async Task ServeAcceptedAsync(MoonSocket socket, CancellationToken stop)
    {
        try
        {
            Worker? worker = await RentAsync(stop).ConfigureAwait(false);
            if (worker is null)
            {
                IoLog.RefusedWhileStopping(_ioLogger, socket.RemoteEndPoint);
                socket.Reset();
                return;
            }

            await ServeAsync(worker, socket).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Gives a connection to a worker, outside the accept loops (a failed hand-off to a worker process returned it).</summary>
    private void Dispatch(MoonSocket socket) => _ = DispatchAsync(socket);

    private async Task DispatchAsync(MoonSocket socket)
    {
        Worker? worker = await RentAsync(_stopAccepting.Token).ConfigureAwait(false);
        if (worker is null)
        {
            IoLog.RefusedWhileStopping(_ioLogger, socket.RemoteEndPoint);
            socket.Reset();
            return;
        }

        await ServeAsync(worker, socket).ConfigureAwait(false);
    }

    private async Task IntervalLoopAsync(IntervalListenerSpec interval)
    {
        CancellationToken stop = _stopAccepting.Token;
        DateTime next = DateTime.UtcNow + interval.Delay;
        try
        {
            while (true)
            {
                TimeSpan wait = next - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, stop).ConfigureAwait(false);
                }

                Worker? worker = await RentAsync(stop).ConfigureAwait(false);
                if (worker is null)
                {
                    return;
                }

                // One run per interval listener at a time: the next is scheduled only after this one ends.
                await ServeAsync(worker, MoonSocket.ForInterval(interval.Name)).ConfigureAwait(false);
                DateTime now = DateTime.UtcNow;
                next = interval.Strict ? next + interval.Delay : now + interval.Delay;
                if (next < now)
                {
                    next = now;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task MainAsync(MainListenerSpec main)
    {
        try
        {
            Worker? worker = await RentAsync(_stopAccepting.Token).ConfigureAwait(false);
            if (worker is null)
            {
                return;
            }

            if (!await ServeAsync(worker, MoonSocket.ForMain(main.Name)).ConfigureAwait(false))
            {
                // The main worker retired: as when the original's main process ends, the server shuts down.
                _ = StopAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async ValueTask<Worker?> RentAsync(CancellationToken stop)
    {
        try
        {
            return await _pool.RentAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Runs one connect call on a worker; returns whether the worker was kept.</summary>
    private async Task<bool> ServeAsync(Worker worker, MoonSocket socket)
    {
        var scope = new HandlerScope(worker.Context, socket, _logHandlerTimedOut ??= s => ServerLog.HandlerTimedOut(_logger, s.Worker), _abortHandlers.Token)
        {
            Stopping = _stopAccepting.Token,
        };

        // A connection of an async pool may give its worker back while it waits for its client; a blocking
        // handler's connection runs on its worker's thread to the end, and a worker process serves one at a time.
        WorkerParking? parking = _poolOptions.ConnectAsync is not null && _child is null && socket.HasConnection
            ? scope.Parking = new WorkerParking(_pool, scope, worker)
            : null;
        lock (_activeLock)
        {
            _active.Add(scope);
        }

        bool reuse = false;
        bool failed = false;
        try
        {
            worker.Context.Calls++;
            reuse = await RunConnectAsync(worker, socket, scope).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failed = true;
            if (!scope.TimedOut)
            {
                ServerLog.ConnectHandlerFailed(_logger, scope.Worker, e);
            }
        }
        finally
        {
            await CloseAfterHandlerAsync(socket, abort: failed || scope.TimedOut).ConfigureAwait(false);
            scope.Dispose();
            lock (_activeLock)
            {
                _active.Remove(scope);
                if (_active.Count == 0)
                {
                    _idle?.TrySetResult();
                }
            }
        }

        // A worker whose handler failed or timed out may hold broken state: retire it, as the original's process died.
        reuse = reuse && !failed && !scope.TimedOut;
        if (parking is not null)
        {
            // The connection ended parked (its client closed or idled out, or the pool stopped): no worker to give back.
            parking.Park(reuse);
            return reuse;
        }

        if (_child is not null)
        {
            // A worker process reports to its parent; one that retires ends with its only worker.
            reuse = _child.Served(reuse);
            if (!reuse)
            {
                _ = _pool.StopAsync();
                _ = StopAsync();
            }
        }

        _pool.Return(worker, reuse);
        return reuse;
    }

    private Task<bool> RunConnectAsync(Worker worker, MoonSocket socket, HandlerScope scope)
    {
        if (_poolOptions.Connect is { } connect)
        {
            return worker.Run(() =>
            {
                HandlerScope.Current = scope;
                try
                {
                    return connect(socket);
                }
                finally
                {
                    HandlerScope.Current = null;
                }
            });
        }

        return RunConnectAsyncCore(_poolOptions.ConnectAsync!, socket, scope);

        static async Task<bool> RunConnectAsyncCore(AsyncConnectHandler handler, MoonSocket socket, HandlerScope scope)
        {
            // Start on the thread pool, so a handler that blocks before its first await cannot stall the accept loop.
            await Task.Yield();
            HandlerScope.Current = scope;
            return await handler(socket, scope.Token).ConfigureAwait(false);
        }
    }

    /// <summary>A connection still open when its handler returns is closed (the original closes it cleanly); a failed one is reset.</summary>
    private async Task CloseAfterHandlerAsync(MoonSocket socket, bool abort)
    {
        if (!socket.HasConnection || socket.IsClosed)
        {
            return;
        }

        if (abort || socket.Connection!.IsAborted)
        {
            IoLog.ConnectionReset(_ioLogger, socket.RemoteEndPoint, abort ? "the handler failed or timed out" : "the connection was aborted");
            socket.Connection!.Reset();
            return;
        }

        using var timeout = new CancellationTokenSource(_options.CloseTimeout);
        try
        {
            await socket.CloseAsync(timeout.Token).ConfigureAwait(false);
            await socket.DisposeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // CloseAsync has reset the connection.
            IoLog.CloseTimedOut(_ioLogger, socket.RemoteEndPoint, _options.CloseTimeout);
        }
        catch (InvalidOperationException)
        {
            IoLog.ConnectionReset(_ioLogger, socket.RemoteEndPoint, "it could not be closed cleanly");
            socket.Connection!.Reset();
        }
    }

    private async Task StopCoreAsync(TimeSpan gracePeriod)
    {
        ServerLog.Stopping(_logger, _options.Name, gracePeriod == TimeSpan.Zero ? "fast" : "graceful");
        await _stopAccepting.CancelAsync().ConfigureAwait(false);
        CloseListeners();
        Task retired = _pool.StopAsync();

        Task idle;
        lock (_activeLock)
        {
            _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_active.Count == 0)
            {
                _idle.TrySetResult();
            }

            idle = _idle.Task;
        }

        if (await Task.WhenAny(idle, Task.Delay(gracePeriod), _abortRequested.Task).ConfigureAwait(false) != idle)
        {
            HandlerScope[] running;
            lock (_activeLock)
            {
                running = [.. _active];
            }

            ServerLog.HandlersAborted(_logger, _options.Name, running.Length);
            await _abortHandlers.CancelAsync().ConfigureAwait(false);
            foreach (HandlerScope scope in running)
            {
                scope.Socket?.Abort(SocketError.Shutdown);
            }
        }

        // A handler that ignores both its token and its reset connection cannot be stopped from outside;
        // do not let it hold the shutdown forever.
        await Task.WhenAny(idle, Task.Delay(s_abandonAfter)).ConfigureAwait(false);
        await Task.WhenAny(Task.WhenAll(_loops), Task.Delay(s_abandonAfter)).ConfigureAwait(false);
        await Task.WhenAny(retired, Task.Delay(s_abandonAfter)).ConfigureAwait(false);
        _completion.TrySetResult();
    }

    private void CloseListeners()
    {
        foreach (MoonListener socket in _sockets)
        {
            socket.Close();
            IoLog.ListenerClosed(_ioLogger, socket.LocalEndPoint);
        }

        foreach (IConnectionSource source in _sources)
        {
            source.Close();
        }
    }
}
