using System.Net;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// The small record that travels with a handed-off connection: where the connection came from, a free
/// tag chosen by the sender, and how far the sender got with an HTTP exchange.
/// </summary>
public sealed record HandOffInfo
{
    /// <summary>The connection's local endpoint as the sender saw it (filled in by the sender when null).</summary>
    public EndPoint? LocalEndPoint { get; init; }

    /// <summary>The client's endpoint as the sender saw it (filled in by the sender when null).</summary>
    public EndPoint? RemoteEndPoint { get; init; }

    /// <summary>Free text for the receiver (a route name, a tenant, a trace id); at most 4096 UTF-8 bytes.</summary>
    public string? Tag { get; init; }

    /// <summary>
    /// True when the sender already sent a response head (see <see cref="HandOffFlushers.Headers()"/>): the
    /// receiver writes only the response body and closes the connection to end it.
    /// </summary>
    public bool ResponseStarted { get; init; }

    /// <summary>
    /// For an HTTP hand-off, the length of the request head at the start of the pending bytes (the
    /// receiver's first reads return it); 0 when the hand-off is not of an HTTP request.
    /// </summary>
    public int RequestHeadLength { get; init; }
}
