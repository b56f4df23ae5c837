using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>The hand-off layer's log events (ids 501–599, category <see cref="Category"/>).</summary>
internal static partial class HandOffLog
{
    public const string Category = "Moonbridge.Net.HandOff";

    [LoggerMessage(501, LogLevel.Warning, "Hand-off to {Path} refused: the receiver listening there runs as user {PeerUser}, not as user {User} or an allowed one; the connection stays here")]
    public static partial void ReceiverRefused(ILogger logger, string path, string peerUser, uint user);

    [LoggerMessage(502, LogLevel.Warning, "Pool {Pool}: not inheriting listeners from {Path}: the process listening there runs as user {PeerUser}, not as user {User}; binding listeners")]
    public static partial void OldProcessRefused(ILogger logger, string pool, string path, string peerUser, uint user);

    [LoggerMessage(503, LogLevel.Debug, "Pool {Pool}: nothing to inherit at {Path} ({Error}); binding listeners")]
    public static partial void NothingToInherit(ILogger logger, string pool, string path, System.Net.Sockets.SocketError error);

    [LoggerMessage(504, LogLevel.Information, "Pool {Pool}: adopted listener {Identity} ({EndPoint}) from the previous process")]
    public static partial void Adopted(ILogger logger, string pool, string identity, System.Net.EndPoint endPoint);

    [LoggerMessage(505, LogLevel.Information, "Pool {Pool}: the previous process had no listener {Identity}; binding it")]
    public static partial void NotInherited(ILogger logger, string pool, string identity);

    [LoggerMessage(506, LogLevel.Warning, "Pool {Pool}: could not tell the previous process that listeners were adopted ({Error})")]
    public static partial void ReadyNotDelivered(ILogger logger, string pool, System.Net.Sockets.SocketError error);
}
