using System.Runtime.InteropServices;
using Moonbridge.Net.Server.Internal;

namespace Moonbridge.Net.Server;

/// <summary>Running until a POSIX signal stops the server.</summary>
public sealed partial class MoonbridgeServer
{
    /// <summary>
    /// Runs until the server stops, stopping gracefully on SIGTERM and fast on SIGINT (Ctrl+C) and
    /// SIGQUIT. The original stops fast on SIGINT and SIGHUP; here SIGHUP is left to the application (the
    /// restart signal of a zero-downtime restart, see <c>ListenerHandOver</c>); unhandled, it ends the
    /// process at once. A warning is logged when SIGHUP is ignored by inheritance (<c>nohup</c>).
    /// </summary>
    /// <param name="cancellationToken">Stops the server gracefully when cancelled.</param>
    public async Task RunUntilSignalAsync(CancellationToken cancellationToken = default)
    {
        if (InheritedSignals.IsHangUpIgnored)
        {
            ServerLog.HangUpIgnored(_logger, _options.Name);
        }

        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using PosixSignalRegistration quit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);
        await using (cancellationToken.Register(() => _ = StopAsync()).ConfigureAwait(false))
        {
            await Completion.ConfigureAwait(false);
        }

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            _ = context.Signal == PosixSignal.SIGTERM ? StopAsync() : Abort();
        }
    }
}
