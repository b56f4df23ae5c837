using System.Net;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// One listener of a running pool: its spec, what it accepts from (a bound or inherited socket, a
/// connection source, or nothing for interval and main listeners), and the loop that serves it.
/// </summary>
internal sealed class ListenerSlot(ListenerSpec spec, MoonListener? socket = null, IConnectionSource? source = null)
{
    public ListenerSpec Spec { get; } = spec;

    /// <summary>The TCP or local listening socket, handed over on a zero-downtime restart.</summary>
    public MoonListener? Socket { get; } = socket;

    public IConnectionSource? Source { get; } = source;

    /// <summary>Set when the server begins.</summary>
    public Task? Loop { get; set; }

    public EndPoint? LocalEndPoint => Socket?.LocalEndPoint ?? Source?.LocalEndPoint;

    /// <summary>The listener's name in logs.</summary>
    public string Name => LocalEndPoint?.ToString() ?? "listener";

    public void Close(ILogger ioLogger)
    {
        if (Socket is not null)
        {
            Socket.Close();
            IoLog.ListenerClosed(ioLogger, Socket.LocalEndPoint);
        }

        Source?.Close();
    }
}
