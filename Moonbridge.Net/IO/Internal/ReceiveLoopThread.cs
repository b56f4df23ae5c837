using System.IO.Pipelines;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Whether the calling thread is one that receives connections' input: an event loop's for good, or the socket engine's
/// receive loop while it hands input to an inline reader. Blocking there would stop input, so a blocking wait on such a
/// thread is refused (<see cref="SyncWait"/>, through <see cref="SocketConnection.IsOnReceiveLoop"/>).
/// </summary>
internal static class ReceiveLoopThread
{
    [ThreadStatic]
    private static bool t_isReceiveLoop;

    [ThreadStatic]
    private static bool t_isLoopThread;

    internal static bool IsCurrent => t_isReceiveLoop || t_isLoopThread;

    /// <summary>Marks the calling thread as an event loop's for good: a wait there would stop the loop's connections.</summary>
    internal static void MarkLoopThread() => t_isLoopThread = true;

    /// <summary>Hands received input to the pipe's inline reader, marking the thread as a receive loop meanwhile.</summary>
    internal static ValueTask<FlushResult> Flush(PipeWriter writer)
    {
        t_isReceiveLoop = true;
        try
        {
            return writer.FlushAsync();
        }
        finally
        {
            t_isReceiveLoop = false;
        }
    }
}
