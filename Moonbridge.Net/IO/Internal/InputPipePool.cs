using System.IO.Pipelines;
using Moonbridge.Net.IO.EventLoop;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Input pipes that resting connections let go (<see cref="SocketConnection.ReleaseInput"/>), reset and kept per event
/// loop for the next connection there that needs one: a keep-alive connection woken by its client's next request then
/// makes no pipe (with its reader, writer and segment stack, about 1 KB, most of what such a request allocated).
/// </summary>
/// <remarks>
/// Only the loop's own thread touches its stack, so neither side takes a lock; a pipe let go or asked for elsewhere is
/// left to the collector or made new. Nobody outside <see cref="SocketConnection"/> holds a resting connection's pipe:
/// every use of the input goes through the connection's field, which the release empties first.
/// </remarks>
internal static class InputPipePool
{
    /// <summary>Pipes kept per loop: what its connections wake with between two rests, a few hundred kilobytes at most.</summary>
    internal const int MaxKeptPerLoop = 256;

    /// <summary>What every input pipe is made with.</summary>
    /// <remarks>
    /// The reader runs inline on the receive loop: when input arrives, the code waiting for it (an HTTP
    /// connection parsing its next request, an async handler) continues on the thread that received it,
    /// with no second hop through the thread pool. The writer (the receive loop, resumed when a reader
    /// frees space) goes through the pool so that it never runs inside a reader's call.
    /// </remarks>
    internal static readonly PipeOptions Options = new(
        readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.ThreadPool,
        pauseWriterThreshold: 1024 * 1024,
        resumeWriterThreshold: 512 * 1024,
        minimumSegmentSize: SocketConnection.MinimumReceiveSize,
        useSynchronizationContext: false);

    private static readonly Stack<Pipe>?[] s_kept = new Stack<Pipe>?[EventLoopGroup.LoopCount];

    /// <summary>A kept pipe of <paramref name="loop"/>'s, when called on its thread and one is there, else a new one.</summary>
    public static Pipe Rent(EpollLoop? loop)
        => loop is not null && EpollLoop.Current == loop && s_kept[loop.Index] is { } kept && kept.TryPop(out Pipe? pipe) ? pipe : new Pipe(Options);

    /// <summary>What <see cref="SideEnded"/> is told: the connection's owner completed the reader (it closed) or the receiver the writer (the input ended).</summary>
    public const int ReaderSide = 1, WriterSide = 2;

    /// <summary>
    /// A closing connection's pipe goes back to its loop too: once both its sides ended (each once per connection),
    /// whichever ends second, when that is on the loop's thread, takes the pipe from the connection's field, completes
    /// both sides (a rest may have swapped the pipe between the two) and keeps it. A connection per request otherwise
    /// made a pipe for each (with its reader, writer and segments, about 300 bytes).
    /// </summary>
    public static void SideEnded(ref Pipe? field, ref int endedSides, int side, EpollLoop? loop)
    {
        if ((Interlocked.Or(ref endedSides, side) | side) == (ReaderSide | WriterSide) && loop is not null && EpollLoop.Current == loop
            && Interlocked.Exchange(ref field, null) is { } pipe)
        {
            Return(pipe, loop);
        }
    }

    /// <summary>
    /// Completes both sides of a pipe nobody uses any more (a side already completed stays so) and keeps it, when on
    /// <paramref name="loop"/>'s thread and there is room.
    /// </summary>
    public static void Return(Pipe unused, EpollLoop? loop)
    {
        unused.Reader.Complete();
        unused.Writer.Complete();
        if (loop is null || EpollLoop.Current != loop)
        {
            return;
        }

        Stack<Pipe> kept = s_kept[loop.Index] ??= new Stack<Pipe>();
        if (kept.Count < MaxKeptPerLoop)
        {
            unused.Reset();
            kept.Push(unused);
        }
    }
}
