namespace Moonbridge.Net.Server;

/// <summary>
/// A worker of a <c>listen</c> pool: a slot with its own prepared state, the in-process stand-in for
/// one of the original's forked worker processes. One handler at a time runs on a worker; in an async
/// pool, an HTTP connection waiting for its next request gives its worker back and may resume on another.
/// </summary>
public sealed class WorkerContext
{
    internal WorkerContext(string poolName, int id)
    {
        PoolName = poolName;
        Id = id;
    }

    /// <summary>The name of the pool (<see cref="ListenOptions.Name"/>).</summary>
    public string PoolName { get; }

    /// <summary>The worker's number within its pool, from 1.</summary>
    public int Id { get; }

    /// <summary>How many connect calls this worker has run, counting connections that resumed on it after waiting for their client.</summary>
    public long Calls { get; internal set; }

    /// <summary>
    /// State the prepare handler sets up for this worker (what a forked Lua worker keeps in globals);
    /// the connect and finish handlers find it here.
    /// </summary>
    public object? State { get; set; }

    /// <summary>The worker running the current handler, or null outside a handler.</summary>
    public static WorkerContext? Current => Internal.HandlerScope.Current?.Worker;

    /// <inheritdoc/>
    public override string ToString() => $"{PoolName} worker {Id}";
}
