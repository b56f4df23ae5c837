using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Http.Internal;

/// <summary>The HTTP layer's log messages (category <c>Moonbridge.Net.Http</c>). Nothing is logged per request at Information level.</summary>
internal static partial class HttpLog
{
    [LoggerMessage(101, LogLevel.Debug, "Request rejected with {StatusCode}: {Reason}")]
    public static partial void RequestRejected(ILogger logger, int statusCode, string reason);

    [LoggerMessage(102, LogLevel.Error, "Request handler failed for {Method} {Target}")]
    public static partial void HandlerFailed(ILogger logger, string method, string target, Exception exception);

    [LoggerMessage(103, LogLevel.Warning, "Response timeout expired for {Method}; the connection was reset")]
    public static partial void ResponseTimedOut(ILogger logger, string method, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "Client read the response to {Method} {Target} below the minimum data rate of {MinimumRate} bytes/s; the connection was reset")]
    public static partial void ResponseDataRateTooLow(ILogger logger, double minimumRate, string method, string target);
}
