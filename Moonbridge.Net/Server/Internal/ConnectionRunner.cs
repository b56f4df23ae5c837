using Microsoft.Extensions.Logging;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Runs one connect call on a worker for a pool: the handler's scope (its timer, token and, in an async pool,
/// the parking of its worker), the report to a parent process, and closing what the handler left open.
/// </summary>
/// <param name="options">The pool as configured (close timeout, clock).</param>
/// <param name="host">Where the workers run; gives the options the pool runs.</param>
/// <param name="pool">The workers.</param>
/// <param name="logger">The server's log.</param>
/// <param name="ioLogger">The connection log.</param>
/// <param name="stopServer">Stops the server (a worker process whose only worker retired).</param>
/// <param name="stopping">Cancelled when the server begins to stop: handlers finish the exchange in progress.</param>
/// <param name="abort">Cancelled when the server aborts its handlers.</param>
internal sealed partial class ConnectionRunner(ListenOptions options, IWorkerHost host, WorkerPool pool, ILogger logger, ILogger ioLogger, Action stopServer, CancellationToken stopping, CancellationToken abort)
{
    /// <summary>The handlers running now.</summary>
    public ActiveHandlers Active { get; } = new();

    /// <summary>Made once: every connection's handler scope shares it.</summary>
    private Action<HandlerScope>? _logHandlerTimedOut;

    /// <summary>Runs one connect call on a worker; returns whether the worker was kept.</summary>
    /// <param name="worker">The worker rented for the call.</param>
    /// <param name="socket">The connection, or the interval or main listener's socket.</param>
    /// <param name="admission">The gate whose place the connection holds, given back once it is closed.</param>
    public Task<bool> ServeAsync(Worker worker, MoonSocket socket, ConnectionGate? admission = null)
        => ServeAsync(worker, socket, admission, socket.HasConnection ? ConnectionMetrics.Started(options.Name) : 0, woken: null);

    /// <param name="worker">The worker rented for the call.</param>
    /// <param name="socket">The connection, or the interval or main listener's socket.</param>
    /// <param name="admission">The gate whose place the connection holds, given back once it is closed.</param>
    /// <param name="served">When the connection was first served, for its metrics.</param>
    /// <param name="woken">The rest the connection leaves for this call, if it rested.</param>
    private async Task<bool> ServeAsync(Worker worker, MoonSocket socket, ConnectionGate? admission, long served, RestingConnection? woken)
    {
        AsyncConnectHandler? connectAsync = host.PoolOptions.ConnectAsync;
        var scope = new HandlerScope(worker.Context, socket, host.PoolOptions.TimeProvider, _logHandlerTimedOut ??= s => ServerLog.HandlerTimedOut(logger, s.Worker), abort)
        {
            Stopping = stopping,
            MayRest = MayRest(connectAsync, socket),
            Woken = woken is not null,
        };

        // A connection of an async pool may give its worker back while it waits for its client; a blocking
        // handler's connection runs on its worker's thread to the end, and a worker process serves one at a time.
        WorkerParking? parking = connectAsync is not null && !host.IsWorkerProcess && socket.HasConnection
            ? scope.Parking = new WorkerParking(pool, scope, worker)
            : null;
        Active.Add(scope);
        if (woken is not null)
        {
            Active.Remove(woken);
        }

        bool reuse = false;
        bool failed = false;
        RestingConnection? resting = null;
        try
        {
            worker.Context.Calls++;
            if (connectAsync is not null)
            {
                // Awaited here rather than in a helper: one pending async method fewer for every open connection.
                // The handler starts on the event loop that owns the connection (where its input arrives), else
                // on the thread pool.
                await new HandlerStart(socket.Connection);
                HandlerScope.Current = scope;
                reuse = await connectAsync(socket, scope.Token).ConfigureAwait(false);
            }
            else
            {
                reuse = await RunBlockingConnectAsync(worker, socket, scope).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            failed = true;
            if (!scope.TimedOut)
            {
                ServerLog.ConnectHandlerFailed(logger, scope.Worker, e);
            }
        }
        finally
        {
            try
            {
                HandlerScope.Current = null;
                resting = !failed && !scope.TimedOut && scope.RestFor is not null ? KeepToRest(socket, admission, served) : null;
                if (resting is null)
                {
                    await CloseAfterHandlerAsync(socket, reset: failed || scope.TimedOut).ConfigureAwait(false);
                }

                scope.Dispose();
                Active.Remove(scope);
            }
            finally
            {
                if (resting is null)
                {
                    ConnectionMetrics.Ended(served, options.Name);

                    // Whatever failed on the way, the connection is closed or lost by now: its place is free again.
                    admission?.Release();
                }
            }
        }

        // A worker whose handler failed or timed out may hold broken state: retire it, as the original's process died.
        reuse = reuse && !failed && !scope.TimedOut;
        if (parking is not null)
        {
            // The connection ended parked (its client closed or idled out, or the pool stopped), or rests: no worker
            // to give back. A resting connection starts watching for input only now, with its worker back in the pool.
            parking.Park(reuse);
            resting?.Begin(scope.RestFor!.Value);
            return reuse;
        }

        if (host.IsWorkerProcess)
        {
            // A worker process reports to its parent; one that retires ends with its only worker.
            reuse = host.Served(reuse);
            if (!reuse)
            {
                _ = pool.StopAsync();
                stopServer();
            }
        }

        pool.Return(worker, reuse);
        return reuse;
    }

    /// <summary>A blocking connect handler runs on its worker's thread.</summary>
    private Task<bool> RunBlockingConnectAsync(Worker worker, MoonSocket socket, HandlerScope scope)
    {
        ConnectHandler connect = host.PoolOptions.Connect!;
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

    /// <summary>A connection still open when its handler returns is closed (the original closes it cleanly); a failed one is reset.</summary>
    private async Task CloseAfterHandlerAsync(MoonSocket socket, bool reset)
    {
        if (!socket.HasConnection || socket.IsClosed)
        {
            // A socket the handler closed itself keeps no finalizer to run: it would outlive the next collection.
            socket.Dispose();
            return;
        }

        if (reset || socket.Connection!.IsAborted)
        {
            IoLog.ConnectionReset(ioLogger, socket.RemoteEndPoint, reset ? "the handler failed or timed out" : "the connection was aborted");
            socket.Connection!.Reset();
            socket.Dispose();
            return;
        }

        SocketConnection connection = socket.Connection!;
        try
        {
            if (connection.IsFinished || socket.FlushNb() is { Pending: 0, IsError: false })
            {
                // Nothing left to send, the common case: closed at once, with no close timeout to arm.
                connection.Close();
                socket.Dispose();
                return;
            }

            using var timeout = new CancellationTokenSource(options.CloseTimeout, options.TimeProvider);
            await socket.CloseAsync(timeout.Token).ConfigureAwait(false);
            await socket.DisposeAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // CloseAsync has reset the connection.
            IoLog.CloseTimedOut(ioLogger, socket.RemoteEndPoint, options.CloseTimeout);
        }
        catch (InvalidOperationException)
        {
            // Closed or finished meanwhile (an abort from another thread): nothing more can be said to the client.
            IoLog.ConnectionReset(ioLogger, socket.RemoteEndPoint, "it could not be closed cleanly");
            connection.Reset();
        }
    }
}
