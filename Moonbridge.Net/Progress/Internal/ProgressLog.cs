using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Progress.Internal;

/// <summary>The progress layer's log messages (category <c>Moonbridge.Net.Progress</c>).</summary>
internal static partial class ProgressLog
{
    [LoggerMessage(201, LogLevel.Debug, "Progress id {Id} registered for {Method} {Target}")]
    public static partial void Registered(ILogger logger, string id, string method, string target);

    [LoggerMessage(202, LogLevel.Warning, "Progress id {Id} is held by another request, running or not expired yet; not tracked")]
    public static partial void IdRefused(ILogger logger, string id);

    [LoggerMessage(203, LogLevel.Warning, "Progress table full; request {Id} tracked without registration")]
    public static partial void TableFull(ILogger logger, string id);

    [LoggerMessage(204, LogLevel.Debug, "Progress id {Id} looked up: {State}")]
    public static partial void LookedUp(ILogger logger, string id, ProgressState state);

    [LoggerMessage(205, LogLevel.Debug, "Progress events requested for id {Id}")]
    public static partial void EventsRequested(ILogger logger, string id);
}
