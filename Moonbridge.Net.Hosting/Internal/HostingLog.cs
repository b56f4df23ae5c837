using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Hosting.Internal;

/// <summary>The hosting layer's log messages (category <c>Moonbridge.Net.Hosting</c>, event ids 700–799).</summary>
internal static partial class HostingLog
{
    /// <summary>The category name of the hosting layer.</summary>
    public const string Category = "Moonbridge.Net.Hosting";

    [LoggerMessage(701, LogLevel.Debug, "Pool {Pool} starting with {ListenerCount} listener(s)")]
    public static partial void Starting(ILogger logger, string pool, int listenerCount);

    [LoggerMessage(702, LogLevel.Debug, "Pool {Pool} stopped")]
    public static partial void Stopped(ILogger logger, string pool);

    [LoggerMessage(703, LogLevel.Warning, "Pool {Pool} had not stopped when the host's shutdown timeout expired; its running handlers are aborted")]
    public static partial void StopAbandoned(ILogger logger, string pool);

    [LoggerMessage(704, LogLevel.Information, "Pool {Pool} stopped by itself; stopping the application")]
    public static partial void StoppedByItself(ILogger logger, string pool);
}
