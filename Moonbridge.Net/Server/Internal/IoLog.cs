using System.Net;
using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// The socket layer's log messages (category <c>Moonbridge.Net.IO</c>, event ids 400–499): the life of
/// listening sockets and connections as a pool sees them. Per-connection events are Trace or Debug only.
/// </summary>
internal static partial class IoLog
{
    /// <summary>The category name of the socket layer.</summary>
    public const string Category = "Moonbridge.Net.IO";

    [LoggerMessage(406, LogLevel.Warning, "Event loop {Loop} has spent {Milliseconds:F0} ms in one turn and is still in it: code running on the loop blocks, and none of its connections is served meanwhile. In async handlers await instead of blocking and move long computations to Task.Run; code that must block belongs in a blocking handler (ListenOptions.Connect)")]
    public static partial void EventLoopStalled(ILogger logger, int loop, double milliseconds);

    [LoggerMessage(401, LogLevel.Trace, "Connection from {Remote} accepted on {Local}")]
    public static partial void ConnectionAccepted(ILogger logger, EndPoint? remote, EndPoint? local);

    [LoggerMessage(402, LogLevel.Debug, "Connection from {Remote} reset: {Reason}")]
    public static partial void ConnectionReset(ILogger logger, EndPoint? remote, string reason);

    [LoggerMessage(403, LogLevel.Debug, "Connection from {Remote} not flushed within {CloseTimeout}; reset")]
    public static partial void CloseTimedOut(ILogger logger, EndPoint? remote, TimeSpan closeTimeout);

    [LoggerMessage(404, LogLevel.Debug, "Listening socket {Local} closed")]
    public static partial void ListenerClosed(ILogger logger, EndPoint local);

    [LoggerMessage(405, LogLevel.Debug, "Connection from {Remote} reset: the pool is stopping")]
    public static partial void RefusedWhileStopping(ILogger logger, EndPoint? remote);
}
