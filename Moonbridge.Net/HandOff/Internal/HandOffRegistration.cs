using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Server;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// Plugs worker processes and listener inheritance into the server, which defines the seams
/// (<see cref="ServerExtensionPoints"/>) but may not name hand-off types: the server layer sits below this one.
/// </summary>
internal sealed class HandOffRegistration : IWorkerProcesses, IListenerInheritance
{
    private HandOffRegistration()
    {
    }

    // A module initializer, not a static constructor somewhere: registration must precede the first
    // Listen, and nothing in the server touches a hand-off type that could trigger one.
#pragma warning disable CA2255 // The initializer only stores two references; it is this library's own wiring, not application start-up code.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        var registration = new HandOffRegistration();
        ServerExtensionPoints.WorkerProcesses = registration;
        ServerExtensionPoints.ListenerInheritance = registration;
    }

    public string? ParentPool => WorkerProcessEnvironment.Pool;

    public IWorkerHost StartParent(ListenOptions options, ILogger logger) => new WorkerProcessHost(options, logger);

    public IWorkerHost ConnectToParent(ListenOptions options) => WorkerProcessChild.Connect(options);

    public IListenerSource? Open(string path, ILoggerFactory loggerFactory, string pool)
        => InheritedListeners.Receive(path, loggerFactory.CreateLogger(HandOffLog.Category), pool);
}
