using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Server.Internal;

/// <summary>The server layer's log messages (category <c>Moonbridge.Net.Server</c>).</summary>
internal static partial class ServerLog
{
    [LoggerMessage(1, LogLevel.Error, "Error in connect handler ({Worker})")]
    public static partial void ConnectHandlerFailed(ILogger logger, WorkerContext worker, Exception exception);

    [LoggerMessage(2, LogLevel.Error, "Error in prepare handler ({Worker}); next worker start delayed")]
    public static partial void PrepareHandlerFailed(ILogger logger, WorkerContext worker, Exception exception);

    [LoggerMessage(3, LogLevel.Error, "Error in finish handler ({Worker})")]
    public static partial void FinishHandlerFailed(ILogger logger, WorkerContext worker, Exception exception);

    [LoggerMessage(4, LogLevel.Warning, "Handler timed out ({Worker}); its connection is reset")]
    public static partial void HandlerTimedOut(ILogger logger, WorkerContext worker);

    [LoggerMessage(5, LogLevel.Debug, "Worker started ({Worker})")]
    public static partial void WorkerStarted(ILogger logger, WorkerContext worker);

    [LoggerMessage(6, LogLevel.Debug, "Worker retired ({Worker})")]
    public static partial void WorkerRetired(ILogger logger, WorkerContext worker);

    [LoggerMessage(7, LogLevel.Warning, "Accept failed on {Listener}")]
    public static partial void AcceptFailed(ILogger logger, string listener, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Pool {Pool} listening on {Listener}")]
    public static partial void Listening(ILogger logger, string pool, string listener);

    [LoggerMessage(9, LogLevel.Information, "Pool {Pool} stopping ({Mode})")]
    public static partial void Stopping(ILogger logger, string pool, string mode);

    [LoggerMessage(10, LogLevel.Warning, "Pool {Pool}: {Count} handler(s) still running after the shutdown deadline were aborted")]
    public static partial void HandlersAborted(ILogger logger, string pool, int count);

    [LoggerMessage(11, LogLevel.Warning, "Pool {Pool}: file descriptors are running out ({Open} connections open, open-file limit {Limit}, {Reserve} kept in reserve); not accepting until some close")]
    public static partial void AcceptingPaused(ILogger logger, string pool, int open, int limit, int reserve);

    [LoggerMessage(12, LogLevel.Information, "Pool {Pool}: file descriptors free again ({Open} connections open); accepting resumed")]
    public static partial void AcceptingResumed(ILogger logger, string pool, int open);

    [LoggerMessage(13, LogLevel.Warning, "Pool {Pool}: the connection limit {MaxConnections} exceeds the process's open-file limit {Limit}; accepting will pause {Reserve} descriptors short of it")]
    public static partial void ConnectionLimitAboveFileLimit(ILogger logger, string pool, int maxConnections, int limit, int reserve);
}
