using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>
/// A running <c>listen{...}</c> pool: its listeners accept connections and hand each to a worker's
/// connect handler. Start one with <see cref="Listen"/>; several may run in one process. Stop it
/// gracefully with <see cref="StopAsync"/>, or at once with <see cref="Abort"/>.
/// </summary>
public sealed partial class MoonbridgeServer : IAsyncDisposable
{
    private readonly ListenOptions _options;

    /// <summary>Where the workers run: in this process, or in worker processes (plugged in from the hand-off layer).</summary>
    private readonly IWorkerHost _host;

    /// <summary>What the pool runs: the options themselves, or the worker-process handlers built from them.</summary>
    private readonly ListenOptions _poolOptions;

    private readonly ILogger _logger;
    private readonly ILogger _ioLogger;
    private readonly WorkerPool _pool;
    private readonly ConnectionGate _gate;
    private readonly ConnectionRunner _runner;
    private readonly ListenerLoops _loops;

    /// <summary>Logs an event loop stuck in one turn (from <see cref="LoopStallWatchdog"/>) while this server runs.</summary>
    private readonly Action<int, TimeSpan> _onLoopStalled;

    /// <summary>Every listener, in the order given, with what it accepts from and its loop.</summary>
    private readonly List<ListenerSlot> _slots = [];
    private IReadOnlyList<BoundListener> _listeners = [];

    private MoonbridgeServer(ListenOptions options, IWorkerHost? host = null)
    {
        _options = options;
        _host = host ?? new InProcessWorkers(options);
        _poolOptions = _host.PoolOptions;
        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _logger = loggerFactory.CreateLogger("Moonbridge.Net.Server");
        _ioLogger = loggerFactory.CreateLogger(IoLog.Category);
        _pool = new WorkerPool(_poolOptions, _logger, _abortHandlers.Token);
        _gate = new ConnectionGate(_poolOptions.EffectiveMaxConnections, _logger, options.Name);
        _listenerAccept = CancellationTokenSource.CreateLinkedTokenSource(_stopAccepting.Token);
        _runner = new ConnectionRunner(options, _host, _pool, _logger, _ioLogger, () => _ = StopAsync(), _stopAccepting.Token, _abortHandlers.Token);
        _loops = new ListenerLoops(_pool, _gate, _runner, options.TimeProvider, _logger, _ioLogger, () => _ = StopAsync(), _stopAccepting.Token);
        _host.Attach(Dispatch, () => _ = StopAsync());
        _onLoopStalled = (loop, busy) => IoLog.EventLoopStalled(_ioLogger, loop, busy.TotalMilliseconds);
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
        if (ServerExtensionPoints.WorkerProcesses?.ParentPool is { } parentPool)
        {
            return ListenAsWorkerProcess(options, parentPool);
        }

        ILoggerFactory loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        IWorkerHost? host = options.WorkerProcesses
            ? ServerExtensionPoints.RequireWorkerProcesses().StartParent(options, loggerFactory.CreateLogger("Moonbridge.Net.Server"))
            : null;
        var server = new MoonbridgeServer(options, host);
        server.BindAndBegin(loggerFactory);
        return server;
    }

    /// <summary>
    /// True in a worker process started by a pool with <see cref="ListenOptions.WorkerProcesses"/>: this
    /// server is that pool's single worker, fed by the parent; its <see cref="Listeners"/> have no endpoints.
    /// </summary>
    public bool IsWorkerProcess => _host.IsWorkerProcess;

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

    /// <summary>Stops gracefully; see <see cref="StopAsync"/>.</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
