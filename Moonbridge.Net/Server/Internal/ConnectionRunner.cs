using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Runs one connect call on a worker for a pool: the handler's scope (its timer, token and, in an async pool,
/// the parking of its worker), the report to a parent process, and closing what the handler left open.
/// </summary>
internal sealed class ConnectionRunner
{
    private readonly ListenOptions _options;
    private readonly ListenOptions _poolOptions;
    private readonly IWorkerHost _host;
    private readonly WorkerPool _pool;
    private readonly ILogger _logger;
    private readonly ILogger _ioLogger;
    private readonly CancellationToken _stopping;
    private readonly CancellationToken _abort;
    private readonly Action _stopServer;

    /// <param name="options">The pool as configured (close timeout, clock).</param>
    /// <param name="host">Where the workers run; gives the options the pool runs.</param>
    /// <param name="pool">The workers.</param>
    /// <param name="logger">The server's log.</param>
    /// <param name="ioLogger">The connection log.</param>
    /// <param name="stopServer">Stops the server (a worker process whose only worker retired).</param>
    /// <param name="stopping">Cancelled when the server begins to stop: handlers finish the exchange in progress.</param>
    /// <param name="abort">Cancelled when the server aborts its handlers.</param>
    public ConnectionRunner(ListenOptions options, IWorkerHost host, WorkerPool pool, ILogger logger, ILogger ioLogger, Action stopServer, CancellationToken stopping, CancellationToken abort)
    {
        _options = options;
        _host = host;
        _poolOptions = host.PoolOptions;
        _pool = pool;
        _logger = logger;
        _ioLogger = ioLogger;
        _stopping = stopping;
        _abort = abort;
        _stopServer = stopServer;
    }

    /// <summary>The handlers running now.</summary>
    public ActiveHandlers Active { get; } = new();

    /// <summary>Made once: every connection's handler scope shares it.</summary>
    private Action<HandlerScope>? _logHandlerTimedOut;

    /// <summary>Runs one connect call on a worker; returns whether the worker was kept.</summary>
    public async Task<bool> ServeAsync(Worker worker, MoonSocket socket)
    {
        var scope = new HandlerScope(worker.Context, socket, _poolOptions.TimeProvider, _logHandlerTimedOut ??= s => ServerLog.HandlerTimedOut(_logger, s.Worker), _abort)
        {
            Stopping = _stopping,
        };

        // A connection of an async pool may give its worker back while it waits for its client; a blocking
        // handler's connection runs on its worker's thread to the end, and a worker process serves one at a time.
        WorkerParking? parking = _poolOptions.ConnectAsync is not null && !_host.IsWorkerProcess && socket.HasConnection
            ? scope.Parking = new WorkerParking(_pool, scope, worker)
            : null;
        Active.Add(scope);

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
            Active.Remove(scope);
        }

        // A worker whose handler failed or timed out may hold broken state: retire it, as the original's process died.
        reuse = reuse && !failed && !scope.TimedOut;
        if (parking is not null)
        {
            // The connection ended parked (its client closed or idled out, or the pool stopped): no worker to give back.
            parking.Park(reuse);
            return reuse;
        }

        if (_host.IsWorkerProcess)
        {
            // A worker process reports to its parent; one that retires ends with its only worker.
            reuse = _host.Served(reuse);
            if (!reuse)
            {
                _ = _pool.StopAsync();
                _stopServer();
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

        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _options.TimeProvider);
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
}
