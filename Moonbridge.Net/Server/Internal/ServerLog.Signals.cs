using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Server.Internal;

internal static partial class ServerLog
{
    [LoggerMessage(30, LogLevel.Warning, "Pool {Pool}: SIGHUP is ignored in this process (inherited from its parent, e.g. nohup); kill -HUP reaches no handler, so it neither stops nor restarts the server")]
    public static partial void HangUpIgnored(ILogger logger, string pool);
}
