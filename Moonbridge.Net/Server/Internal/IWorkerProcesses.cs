using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Server.Internal;

/// <summary>Starts the pool's workers elsewhere than in this process (<see cref="ListenOptions.WorkerProcesses"/>).</summary>
internal interface IWorkerProcesses
{
    /// <summary>The pool this process is a worker process of, or null in an ordinary process.</summary>
    string? ParentPool { get; }

    /// <summary>In the parent: each worker slot of the pool becomes a worker process.</summary>
    IWorkerHost StartParent(ListenOptions options, ILogger logger);

    /// <summary>In a worker process: connects to the parent and becomes the pool's one worker.</summary>
    IWorkerHost ConnectToParent(ListenOptions options);
}
