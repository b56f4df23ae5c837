using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server;

/// <summary>The server's side of handing its listening sockets to a new process (zero-downtime restart).</summary>
public sealed partial class MoonbridgeServer
{
    /// <summary>Ends the accept loops of TCP and local listeners only; linked to the server's stop.</summary>
    private readonly CancellationTokenSource _listenerAccept;

    /// <summary>True once a stop has begun.</summary>
    internal bool IsStopping => _stopAccepting.IsCancellationRequested;

    /// <summary>The TCP and local listeners with their specs, in the order given.</summary>
    internal IReadOnlyList<(ListenerSpec Spec, MoonListener Listener)> SocketListeners
        => [.. _slots.Where(slot => slot.Socket is not null).Select(slot => (slot.Spec, slot.Socket!))];

    /// <summary>
    /// Ends accepting on the TCP and local listeners (their sockets are left open) and waits until their
    /// loops have given every connection they accepted to a worker. Interval, main and hand-off
    /// listeners keep running until <see cref="StopAsync"/>.
    /// </summary>
    internal async Task StopAcceptingOnSocketsAsync()
    {
        await _listenerAccept.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_slots.Where(slot => slot.Socket is not null).Select(slot => slot.Loop ?? Task.CompletedTask)).ConfigureAwait(false);
    }
}
