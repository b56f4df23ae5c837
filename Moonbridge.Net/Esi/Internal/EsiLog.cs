using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Esi.Internal;

/// <summary>The ESI layer's log messages (category <c>Moonbridge.Net.Esi</c>).</summary>
internal static partial class EsiLog
{
    [LoggerMessage(601, LogLevel.Error, "ESI script {Script} delivered an invalid header section; answered 500: {Reason}")]
    public static partial void InvalidHeaders(ILogger logger, string script, string reason);

    [LoggerMessage(602, LogLevel.Error, "ESI script {Script} failed before delivering its headers; answered 500")]
    public static partial void FailedBeforeHeaders(ILogger logger, string script, Exception exception);

    [LoggerMessage(603, LogLevel.Error, "ESI script {Script} failed after delivering its headers; the connection was aborted, leaving the body incomplete")]
    public static partial void FailedAfterHeaders(ILogger logger, string script, Exception exception);

    [LoggerMessage(604, LogLevel.Warning, "ESI script {Script} timed out after {Timeout} before delivering its headers; answered 504")]
    public static partial void TimedOutBeforeHeaders(ILogger logger, string script, TimeSpan timeout);

    [LoggerMessage(605, LogLevel.Warning, "ESI script {Script} timed out after {Timeout} while streaming; the body was ended with a warning")]
    public static partial void TimedOutAfterHeaders(ILogger logger, string script, TimeSpan timeout);

    [LoggerMessage(606, LogLevel.Error, "ESI script {Script} ended without delivering anything; answered 500")]
    public static partial void DeliveredNothing(ILogger logger, string script);

    [LoggerMessage(607, LogLevel.Debug, "No ESI function for {Path}; answered 404")]
    public static partial void NotFound(ILogger logger, string path);

    [LoggerMessage(608, LogLevel.Debug, "ESI script {Script} redirected internally to {Location}")]
    public static partial void InternalRedirect(ILogger logger, string script, string location);

    [LoggerMessage(609, LogLevel.Error, "ESI script {Script} redirected internally more than {Limit} times; answered 500")]
    public static partial void TooManyRedirects(ILogger logger, string script, int limit);

    [LoggerMessage(610, LogLevel.Debug, "ESI script {Script} set Transfer-Encoding, which the server manages; dropped")]
    public static partial void FramingHeaderDropped(ILogger logger, string script);
}
