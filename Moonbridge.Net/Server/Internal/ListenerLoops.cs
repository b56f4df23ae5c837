using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// The loops that feed a pool's workers, one per listener: accepting connections (admitted by the
/// <see cref="ConnectionGate"/>), running interval handlers on their schedule, and the main listener's one run.
/// </summary>
/// <param name="pool">The workers.</param>
/// <param name="gate">Admission of connections.</param>
/// <param name="runner">Runs a connect call on a worker.</param>
/// <param name="timeProvider">The pool's clock (intervals, back-off).</param>
/// <param name="logger">The server's log.</param>
/// <param name="ioLogger">The connection log.</param>
/// <param name="stopServer">Stops the server (the main listener's worker retired).</param>
/// <param name="stopAccepting">Cancelled when the server stops: every loop ends.</param>
internal sealed class ListenerLoops(WorkerPool pool, ConnectionGate gate, ConnectionRunner runner, TimeProvider timeProvider, ILogger logger, ILogger ioLogger, Action stopServer, CancellationToken stopAccepting)
{
    /// <param name="accept">Takes the next connection.</param>
    /// <param name="name">The listener's name in logs.</param>
    /// <param name="acceptStop">
    /// Ends the loop; by default the server's stop. A connection already accepted is still given to a
    /// worker unless the server is stopping, so ending accepting early (listeners handed to another
    /// process) loses no connection.
    /// </param>
    public async Task AcceptLoopAsync(Func<CancellationToken, ValueTask<MoonSocket>> accept, string name, CancellationToken acceptStop = default)
    {
        CancellationToken stop = stopAccepting;
        if (!acceptStop.CanBeCanceled)
        {
            acceptStop = stop;
        }

        while (!acceptStop.IsCancellationRequested)
        {
            MoonSocket socket;
            try
            {
                await gate.WaitForRoomAsync(acceptStop).ConfigureAwait(false);
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
                    await gate.OutOfDescriptorsAsync(acceptStop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }
            catch (SocketException e)
            {
                ServerLog.AcceptFailed(logger, name, e);
                if (!await AcceptBackOff.WaitAsync(acceptStop, timeProvider).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            if (ioLogger.IsEnabled(LogLevel.Trace))
            {
                // Guarded: a connection accepted on a wildcard address learns its local address only when asked.
                IoLog.ConnectionAccepted(ioLogger, socket.RemoteEndPoint, socket.LocalEndPoint);
            }
            gate.Admit();
            _ = ServeAcceptedAsync(socket, stop);
        }
    }

    /// <summary>
    /// Waits for a worker and serves a connection. The accept loop does not wait for the worker itself:
    /// a connection of an async pool needs one only while its handler is busy (see <see cref="WorkerParking"/>).
    /// </summary>
    /// <param name="socket">The connection.</param>
    /// <param name="stop">Ends the wait for a worker; the connection is then reset.</param>
    /// <param name="admitted">Whether the connection holds a place in the <see cref="ConnectionGate"/>, released at its end.</param>
    public Task ServeAcceptedAsync(MoonSocket socket, CancellationToken stop, bool admitted = true)
    {
        // A worker at hand (the usual case) goes straight to the runner: no pending method of this loop's own for
        // every open connection.
        ValueTask<Worker?> renting = pool.RentOrNullAsync(stop);
        if (!renting.IsCompletedSuccessfully)
        {
            return ServeWhenRentedAsync(renting.AsTask(), socket, admitted);
        }

        return renting.Result is { } worker
            ? runner.ServeAsync(worker, socket, admitted ? gate : null)
            : ServeWhenRentedAsync(Task.FromResult<Worker?>(null), socket, admitted);
    }

    private async Task ServeWhenRentedAsync(Task<Worker?> renting, MoonSocket socket, bool admitted)
    {
        Worker? worker = null;
        bool queued = ConnectionMetrics.Queued.Enabled;
        if (queued)
        {
            ConnectionMetrics.Queued.Add(1, new KeyValuePair<string, object?>(ConnectionMetrics.PoolTag, gate.Pool));
        }

        try
        {
            worker = await renting.ConfigureAwait(false);
            if (worker is null)
            {
                IoLog.RefusedWhileStopping(ioLogger, socket.RemoteEndPoint);
                ConnectionMetrics.Count(ConnectionMetrics.Rejected, gate.Pool);
                socket.Reset();
            }
        }
        finally
        {
            if (queued)
            {
                ConnectionMetrics.Queued.Add(-1, new KeyValuePair<string, object?>(ConnectionMetrics.PoolTag, gate.Pool));
            }

            // Without a worker the connection never reaches the runner, which gives its place back otherwise.
            if (worker is null && admitted)
            {
                gate.Release();
            }
        }

        if (worker is not null)
        {
            await runner.ServeAsync(worker, socket, admitted ? gate : null).ConfigureAwait(false);
        }
    }

    public async Task IntervalLoopAsync(IntervalListenerSpec interval)
    {
        CancellationToken stop = stopAccepting;
        TimeProvider clock = timeProvider;
        DateTimeOffset next = clock.GetUtcNow() + interval.Delay;
        try
        {
            while (true)
            {
                TimeSpan wait = next - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, stop).ConfigureAwait(false);
                }

                Worker? worker = await pool.RentOrNullAsync(stop).ConfigureAwait(false);
                if (worker is null)
                {
                    return;
                }

                // One run per interval listener at a time: the next is scheduled only after this one ends.
                await runner.ServeAsync(worker, MoonSocket.ForInterval(interval.Name)).ConfigureAwait(false);
                DateTimeOffset now = clock.GetUtcNow();
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

    public async Task MainAsync(MainListenerSpec main)
    {
        try
        {
            Worker? worker = await pool.RentOrNullAsync(stopAccepting).ConfigureAwait(false);
            if (worker is null)
            {
                return;
            }

            if (!await runner.ServeAsync(worker, MoonSocket.ForMain(main.Name)).ConfigureAwait(false))
            {
                // The main worker retired: as when the original's main process ends, the server shuts down.
                stopServer();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
