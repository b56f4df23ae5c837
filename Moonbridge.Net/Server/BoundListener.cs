using System.Net;

namespace Moonbridge.Net.Server;

/// <summary>A listener of a running server: its spec and, for TCP and local listeners, where it is bound.</summary>
/// <param name="Spec">The listener as configured.</param>
/// <param name="LocalEndPoint">The bound endpoint (with the real port when port 0 was asked for); null for interval and main listeners.</param>
public sealed record BoundListener(ListenerSpec Spec, EndPoint? LocalEndPoint)
{
    /// <summary>The bound TCP port, or null for other listener kinds.</summary>
    public int? Port => (LocalEndPoint as IPEndPoint)?.Port;
}
