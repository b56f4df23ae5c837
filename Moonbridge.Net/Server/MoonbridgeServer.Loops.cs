using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>The loops that feed workers: accepting, interval timers, the main listener, and re-dispatch.</summary>
public sealed partial class MoonbridgeServer
{
    private void Begin()
    {
        _pool.Start();
        foreach (ListenerSlot slot in _slots)
        {
            slot.Loop = slot switch
            {
                { Spec: IntervalListenerSpec interval } => IntervalLoopAsync(interval),
                { Spec: MainListenerSpec main } => MainAsync(main),
                { Source: { } source } => AcceptLoopAsync(source.AcceptAsync, slot.Name),
                { Socket: { } socket } => AcceptLoopAsync(socket.AcceptAsync, slot.Name, _listenerAccept.Token),
                _ => Task.CompletedTask,
            };
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
                ServerLog.AcceptFailed(_logger, name, e);
                if (!await AcceptBackOff.WaitAsync(acceptStop, _options.TimeProvider).ConfigureAwait(false))
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
    /// Waits for a worker and serves a connection. The accept loop does not wait for the worker itself:
    /// a connection of an async pool needs one only while its handler is busy (see <see cref="WorkerParking"/>).
    /// </summary>
    /// <param name="socket">The connection.</param>
    /// <param name="stop">Ends the wait for a worker; the connection is then reset.</param>
    /// <param name="admitted">Whether the connection holds a place in the <see cref="ConnectionGate"/>, released at its end.</param>
    private async Task ServeAcceptedAsync(MoonSocket socket, CancellationToken stop, bool admitted = true)
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
            if (admitted)
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Gives a connection to a worker outside the accept loops (a failed hand-off to a worker process returned it).</summary>
    private void Dispatch(MoonSocket socket) => _ = ServeAcceptedAsync(socket, _stopAccepting.Token, admitted: false);

    private async Task IntervalLoopAsync(IntervalListenerSpec interval)
    {
        CancellationToken stop = _stopAccepting.Token;
        TimeProvider clock = _options.TimeProvider;
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

                Worker? worker = await RentAsync(stop).ConfigureAwait(false);
                if (worker is null)
                {
                    return;
                }

                // One run per interval listener at a time: the next is scheduled only after this one ends.
                await ServeAsync(worker, MoonSocket.ForInterval(interval.Name)).ConfigureAwait(false);
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
}
