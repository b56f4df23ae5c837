using Moonbridge.Net.IO;

namespace Moonbridge.Net.HandOff;

/// <summary>A connection received from another process, and what the sender said about it.</summary>
/// <param name="Socket">The connection: its first reads return the bytes the sender had already read.</param>
/// <param name="Info">The sender's metadata.</param>
public sealed record ReceivedHandOff(MoonSocket Socket, HandOffInfo Info)
{
    internal const string ItemKey = "Moonbridge.Net.HandOff.Info";
}

/// <summary>Access to the hand-off metadata of a received connection.</summary>
public static class MoonSocketHandOffExtensions
{
    /// <summary>
    /// The metadata that came with <paramref name="socket"/> when it was received from another
    /// process (for example by a <see cref="HandOffListenerSpec"/> listener), else null.
    /// </summary>
    /// <param name="socket">A socket passed to a connect handler.</param>
    public static HandOffInfo? GetHandOffInfo(this MoonSocket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return socket.HasConnection && socket.Items.TryGetValue(ReceivedHandOff.ItemKey, out object? info) ? info as HandOffInfo : null;
    }
}
