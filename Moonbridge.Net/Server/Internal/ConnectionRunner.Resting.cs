using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Connections resting between connect calls (<see cref="RestingConnection"/>): kept when their handler returns to
/// rest, served again on a newly rented worker when their client speaks, closed at their idle limit or at a stop.
/// </summary>
internal sealed partial class ConnectionRunner
{
    /// <summary>
    /// Whether a connection may rest between calls: its handler is the library's own (a user's connect handler ends its
    /// connection when it returns), the connection is on an event loop in an async pool of this process, and its
    /// deadlines run on the system clock, the one the loop fires its idle limit on.
    /// </summary>
    private bool MayRest(AsyncConnectHandler? connectAsync, MoonSocket socket)
        => connectAsync?.Target is IRestingConnectHandler
            && !host.IsWorkerProcess
            && host.PoolOptions.TimeProvider == TimeProvider.System
            && socket.Connection?.LoopReceiver is not null;

    /// <summary>Keeps a connection whose handler returned to rest, counted as open until its rest ends; null when it cannot rest.</summary>
    private RestingConnection? KeepToRest(MoonSocket socket, ConnectionGate? admission, long served)
    {
        if (socket.IsClosed || socket.Connection is not { LoopReceiver: not null, HasFailed: false })
        {
            return null;
        }

        var resting = new RestingConnection(this, socket, admission, served);
        Active.Add(resting);
        if (stopping.IsCancellationRequested)
        {
            // The stop may have looked for resting connections already: this one ends now.
            Active.Remove(resting);
            return null;
        }

        return resting;
    }

    /// <summary>The pool's name, the tag of its connection metrics.</summary>
    internal string PoolName => options.Name;

    /// <summary>A resting connection's client spoke, or its input ended: serve it again, on a worker, or close it.</summary>
    internal void Wake(RestingConnection resting)
    {
        if (stopping.IsCancellationRequested || resting.Socket.Connection!.LoopReceiver?.IsInputSpent != false)
        {
            EndRest(resting);
            return;
        }

        ValueTask<Worker?> renting = pool.RentOrNullAsync(stopping);
        if (!renting.IsCompletedSuccessfully)
        {
            _ = ServeWhenRentedAsync(renting, resting);
        }
        else if (renting.Result is { } worker)
        {
            _ = ServeAsync(worker, resting.Socket, resting.Admission, resting.Served, resting);
        }
        else
        {
            EndRest(resting);
        }
    }

    private async Task ServeWhenRentedAsync(ValueTask<Worker?> renting, RestingConnection resting)
    {
        Worker? worker = await renting.ConfigureAwait(false);
        if (worker is null)
        {
            // The pool stops and hands out no more workers.
            EndRest(resting);
            return;
        }

        await ServeAsync(worker, resting.Socket, resting.Admission, resting.Served, resting).ConfigureAwait(false);
    }

    /// <summary>Closes a connection that ends its rest without being served again, as a connection whose handler returned is closed.</summary>
    internal void EndRest(RestingConnection resting) => _ = EndRestAsync(resting);

    private async Task EndRestAsync(RestingConnection resting)
    {
        try
        {
            await CloseAfterHandlerAsync(resting.Socket, reset: false).ConfigureAwait(false);
        }
        finally
        {
            ConnectionMetrics.Ended(resting.Served, options.Name);
            resting.Admission?.Release();
            Active.Remove(resting);
        }
    }

    /// <summary>At a stop: every resting connection is closed (the exchanges in progress finish first, then end too).</summary>
    internal void CloseResting()
    {
        foreach (RestingConnection resting in Active.RestingSnapshot())
        {
            resting.Close();
        }
    }
}
