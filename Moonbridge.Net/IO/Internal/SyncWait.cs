using System.Diagnostics;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Blocks the calling thread on a reactor wait. This is the blocking API form itself, the one place
/// where waiting synchronously for asynchronous work is the point. Each thread keeps one event, so a
/// blocked wait allocates nothing.
/// </summary>
internal static class SyncWait
{
    [ThreadStatic]
    private static ManualResetEventSlim? t_signal;

    [ThreadStatic]
    private static Action? t_set;

    public static void Wait(ValueTask wait)
    {
        if (!wait.IsCompleted)
        {
            ManualResetEventSlim signal = Prepare(out Action set);
            wait.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(set);
            signal.Wait();
        }

        wait.GetAwaiter().GetResult();
    }

    public static T Wait<T>(ValueTask<T> wait)
    {
        if (!wait.IsCompleted)
        {
            ManualResetEventSlim signal = Prepare(out Action set);
            wait.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(set);
            signal.Wait();
        }

        return wait.GetAwaiter().GetResult();
    }

    /// <summary>Unwraps work that ran with a blocking waiter and so never suspended (the blocking API's edge).</summary>
    public static T Completed<T>(ValueTask<T> loop)
    {
        Debug.Assert(loop.IsCompleted, "a synchronous waiter went asynchronous");
        return loop.IsCompleted ? loop.GetAwaiter().GetResult() : Wait(loop);
    }

    /// <summary>Unwraps work that ran with a blocking waiter and so never suspended (the blocking API's edge).</summary>
    public static void Completed(ValueTask work)
    {
        Debug.Assert(work.IsCompleted, "a synchronous path went asynchronous");
        Wait(work);
    }

    private static ManualResetEventSlim Prepare(out Action set)
    {
        if (SocketConnection.IsOnReceiveLoop)
        {
            // Async code continues on the thread that received its input; blocking it would stop that input.
            throw new InvalidOperationException("A blocking Moonbridge call was made from async code running on a connection's receive loop; use the async form of the call (for example ReadAsync instead of Read).");
        }

        ManualResetEventSlim signal = t_signal ??= new ManualResetEventSlim(false, spinCount: 0);
        set = t_set ??= signal.Set;
        signal.Reset();
        return signal;
    }
}
