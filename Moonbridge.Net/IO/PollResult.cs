namespace Moonbridge.Net.IO;

/// <summary>
/// The outcome of <c>MoonbridgeIO.Poll</c>. Unlike the original, which only says whether anything is
/// ready, it also lists which inputs and outputs are.
/// </summary>
public sealed class PollResult
{
    internal static readonly PollResult TimedOutResult = new([], [], timedOut: true, shutdownRequested: false);
    internal static readonly PollResult ShutdownResult = new([], [], timedOut: false, shutdownRequested: true);

    internal PollResult(IReadOnlyList<IPollable> readable, IReadOnlyList<MoonSocket> writable, bool timedOut, bool shutdownRequested)
    {
        Readable = readable;
        Writable = writable;
        TimedOut = timedOut;
        ShutdownRequested = shutdownRequested;
    }

    /// <summary>True when at least one input or output is ready (Lua: <c>true</c>).</summary>
    public bool IsReady => Readable.Count > 0 || Writable.Count > 0;

    /// <summary>The inputs that are ready to read (or accept) without blocking.</summary>
    public IReadOnlyList<IPollable> Readable { get; }

    /// <summary>The outputs that can take more data without blocking.</summary>
    public IReadOnlyList<MoonSocket> Writable { get; }

    /// <summary>True when the timeout elapsed with nothing ready (Lua: <c>false, "Timeout"</c>).</summary>
    public bool TimedOut { get; }

    /// <summary>True when the wait ended because shutdown was requested (Lua: <c>false, "SIGTERM received", true</c>).</summary>
    public bool ShutdownRequested { get; }
}
