using Moonbridge.Net.IO;
using Moonbridge.Net.IO.EventLoop;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>Starting the loops that feed workers (<see cref="ListenerLoops"/>), and re-dispatch.</summary>
public sealed partial class MoonbridgeServer
{
    private void Begin()
    {
        // Until the server has stopped (MoonbridgeServer.Stopping.cs unsubscribes).
        LoopStallWatchdog.Stalled += _onLoopStalled;
        _pool.Start();
        foreach (ListenerSlot slot in _slots)
        {
            slot.Loop = slot switch
            {
                { Spec: IntervalListenerSpec interval } => _loops.IntervalLoopAsync(interval),
                { Spec: MainListenerSpec main } => _loops.MainAsync(main),
                { Source: { } source } => _loops.AcceptLoopAsync(source.AcceptAsync, slot.Name),
                { Socket: { } socket } => _loops.AcceptLoopAsync(socket.AcceptAsync, slot.Name, _listenerAccept.Token),
                _ => Task.CompletedTask,
            };
        }
    }

    /// <summary>Gives a connection to a worker outside the accept loops (a failed hand-off to a worker process returned it).</summary>
    private void Dispatch(MoonSocket socket) => _ = _loops.ServeAcceptedAsync(socket, _stopAccepting.Token, admitted: false);
}
