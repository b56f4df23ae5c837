namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Where layers above the server plug in what it may not depend on: the hand-off layer registers its
/// worker processes and listener inheritance here from a module initializer, so the server selects
/// them by <see cref="ListenOptions.WorkerProcesses"/> and <see cref="ListenOptions.InheritFrom"/>
/// while naming none of their types (the layers stay IO &lt;- Server &lt;- HandOff, without a cycle).
/// </summary>
internal static class ServerExtensionPoints
{
    /// <summary>Worker processes for <see cref="ListenOptions.WorkerProcesses"/>.</summary>
    public static IWorkerProcesses? WorkerProcesses { get; set; }

    /// <summary>Listeners received from an old process for <see cref="ListenOptions.InheritFrom"/>.</summary>
    public static IListenerInheritance? ListenerInheritance { get; set; }

    public static IWorkerProcesses RequireWorkerProcesses()
        => WorkerProcesses ?? throw new PlatformNotSupportedException("Worker processes are not available in this build.");

    public static IListenerInheritance RequireListenerInheritance()
        => ListenerInheritance ?? throw new PlatformNotSupportedException("Inheriting listeners is not available in this build.");
}
