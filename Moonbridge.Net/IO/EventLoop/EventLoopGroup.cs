using System.Globalization;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// The process's event loops, started at the first connection that needs one and kept for the process's life
/// (as the runtime keeps its socket engine threads). Connections are dealt to them in turn.
/// </summary>
internal static class EventLoopGroup
{
    private static readonly Lock s_startLock = new();
    private static EpollLoop[]? s_loops;
    private static int s_next;
    private static bool? s_supported;
    private static TransportKind? s_auto;
    private static int? s_loopCount;

    /// <summary>
    /// The number of loops: <c>MOONBRIDGE_EVENT_LOOPS</c> when set, else one per processor this process may use. A value
    /// that is not a whole number from 1 to 256 is refused, not ignored.
    /// </summary>
    internal static int LoopCount => s_loopCount ??= ReadLoopCount();

    /// <summary>Whether this system can run the loops: Linux with a working <c>epoll_create1</c>.</summary>
    internal static bool IsSupported => s_supported ??= Probe();

    /// <summary>The loops started so far (none before the first connection).</summary>
    internal static IReadOnlyList<EpollLoop> Started => Volatile.Read(ref s_loops) ?? [];

    /// <summary>The loop for the next connection.</summary>
    internal static EpollLoop Next()
    {
        EpollLoop[] loops = Volatile.Read(ref s_loops) ?? StartAll();
        return loops.Length == 1 ? loops[0] : loops[(int)((uint)Interlocked.Increment(ref s_next) % (uint)loops.Length)];
    }

    /// <summary>The loop for a new connection of a listener that asked for <paramref name="kind"/>, or null for the socket engine.</summary>
    internal static EpollLoop? For(TransportKind kind) => Resolve(kind) == TransportKind.EventLoop ? Next() : null;

    /// <summary>Resolves <see cref="TransportKind.Auto"/> (and the environment's override) to what a listener will use.</summary>
    internal static TransportKind Resolve(TransportKind requested)
    {
        if (requested == TransportKind.Auto)
        {
            requested = s_auto ??= ReadAutoTransport();
        }

        if (requested == TransportKind.EventLoop)
        {
            if (!IsSupported)
            {
                throw new PlatformNotSupportedException("The event-loop transport needs Linux (epoll); use TransportKind.SocketEngine or Auto on this system.");
            }

            // A bad MOONBRIDGE_EVENT_LOOPS fails here, when a listener is set up, not at its first connection.
            _ = LoopCount;
        }

        return requested;
    }

    private static TransportKind ReadAutoTransport()
    {
        string? configured = Environment.GetEnvironmentVariable("MOONBRIDGE_TRANSPORT")?.Trim();
        return configured?.ToLowerInvariant() switch
        {
            null or "" or "auto" => IsSupported ? TransportKind.EventLoop : TransportKind.SocketEngine,
            "event-loop" => TransportKind.EventLoop,
            "socket-engine" => TransportKind.SocketEngine,
            _ => throw new InvalidOperationException($"MOONBRIDGE_TRANSPORT is '{configured}'; use event-loop, socket-engine or auto (or leave it unset)."),
        };
    }

    private static int ReadLoopCount()
    {
        string? configured = Environment.GetEnvironmentVariable("MOONBRIDGE_EVENT_LOOPS")?.Trim();
        if (string.IsNullOrEmpty(configured))
        {
            return Environment.ProcessorCount;
        }

        return int.TryParse(configured, NumberStyles.None, CultureInfo.InvariantCulture, out int count) && count is >= 1 and <= 256
            ? count
            : throw new InvalidOperationException($"MOONBRIDGE_EVENT_LOOPS is '{configured}'; use a whole number from 1 to 256 (or leave it unset for one loop per processor).");
    }

    private static EpollLoop[] StartAll()
    {
        lock (s_startLock)
        {
            if (s_loops is { } started)
            {
                return started;
            }

            var loops = new EpollLoop[LoopCount];
            for (int i = 0; i < loops.Length; i++)
            {
                loops[i] = EpollLoop.Start(i);
            }

            Volatile.Write(ref s_loops, loops);
            LoopStallWatchdog.Start(loops);
            return loops;
        }
    }

    private static bool Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            int fd = EpollInterop.EpollCreate1(EpollInterop.EpollCloexec);
            if (fd < 0)
            {
                return false;
            }

            _ = EpollInterop.Close(fd);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or MarshalDirectiveException)
        {
            return false;
        }
    }
}
