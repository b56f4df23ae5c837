using Moonbridge.Net.IO;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>Running one connect call on a worker, and closing its connection afterwards.</summary>
public sealed partial class MoonbridgeServer
{
    /// <summary>Made once: every connection's handler scope shares it.</summary>
    private Action<HandlerScope>? _logHandlerTimedOut;

    /// <summary>Runs one connect call on a worker; returns whether the worker was kept.</summary>
    private async Task<bool> ServeAsync(Worker worker, MoonSocket socket)
    {
        var scope = new HandlerScope(worker.Context, socket, _poolOptions.TimeProvider, _logHandlerTimedOut ??= s => ServerLog.HandlerTimedOut(_logger, s.Worker), _abortHandlers.Token)
        {
            Stopping = _stopAccepting.Token,
        };

        // A connection of an async pool may give its worker back while it waits for its client; a blocking
        // handler's connection runs on its worker's thread to the end, and a worker process serves one at a time.
        WorkerParking? parking = _poolOptions.ConnectAsync is not null && !_host.IsWorkerProcess && socket.HasConnection
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

        if (_host.IsWorkerProcess)
        {
            // A worker process reports to its parent; one that retires ends with its only worker.
            reuse = _host.Served(reuse);
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
