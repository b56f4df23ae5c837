namespace Moonbridge.Net.Server;

/// <summary>Where a <see cref="MoonbridgeServer"/> is in its life, as a health check reports it.</summary>
public enum MoonbridgeServerState
{
    /// <summary>Accepting connections and serving them.</summary>
    Listening,

    /// <summary>Stopping: no longer accepting; handlers still running finish within the grace period.</summary>
    Draining,

    /// <summary>Stopped: every handler ended and every listener closed.</summary>
    Stopped,
}
