using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>The upload layer's log messages (category <c>Moonbridge.Net.Uploads</c>).</summary>
internal static partial class UploadLog
{
    [LoggerMessage(701, LogLevel.Error, "The completion handler of upload {Id} failed; its stored answer is {StatusCode}")]
    public static partial void CompletionFailed(ILogger logger, string id, int statusCode, Exception exception);

    [LoggerMessage(702, LogLevel.Debug, "Upload {Id}: request superseded by a newer one at offset {Offset}")]
    public static partial void Superseded(ILogger logger, string id, long offset);

    [LoggerMessage(703, LogLevel.Information, "Upload {Id} removed: it exceeded its length of {Length} bytes")]
    public static partial void LengthExceeded(ILogger logger, string id, long length);

    [LoggerMessage(704, LogLevel.Information, "{Count} expired uploads removed")]
    public static partial void Swept(ILogger logger, int count);

    [LoggerMessage(705, LogLevel.Warning, "Removing expired uploads failed")]
    public static partial void SweepFailed(ILogger logger, Exception exception);
}
