using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Where a pool's workers run. In-process slots are the default (<see cref="InProcessWorkers"/>); worker
/// processes plug in from the hand-off layer through <see cref="ServerExtensionPoints.WorkerProcesses"/>,
/// so the server itself never depends on that layer.
/// </summary>
internal interface IWorkerHost
{
    /// <summary>What the pool runs: the user's options, or handlers derived from them.</summary>
    ListenOptions PoolOptions { get; }

    /// <summary>
    /// True when this process is a worker process: its pool is one worker serving, one at a time, the
    /// connections its parent hands over; its listeners are bound in the parent.
    /// </summary>
    bool IsWorkerProcess { get; }

    /// <summary>Connects the host to its running server.</summary>
    /// <param name="dispatch">Gives a connection to a worker outside the accept loops (one a failed hand-off returned).</param>
    /// <param name="stop">Stops the server gracefully (the parent ended a worker process's channel).</param>
    void Attach(Action<MoonSocket> dispatch, Action stop);

    /// <summary>Called after each connection with whether its worker may stay; returns whether it stays.</summary>
    bool Served(bool reuse);
}
