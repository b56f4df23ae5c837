using System.Diagnostics;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Blocks the calling thread on a reactor wait. This is the blocking API form itself, the one place
/// where waiting synchronously for asynchronous work is the point.
/// </summary>
internal static class SyncWait
{
    public static void Wait(ValueTask wait)
    {
        if (wait.IsCompleted)
        {
            wait.GetAwaiter().GetResult();
            return;
        }

        // Only the blocked path pays for a Task; a blocked thread costs a context switch anyway.
        wait.AsTask().GetAwaiter().GetResult();
    }

    public static T Wait<T>(ValueTask<T> wait)
        => wait.IsCompleted ? wait.GetAwaiter().GetResult() : wait.AsTask().GetAwaiter().GetResult();

    /// <summary>Unwraps a loop that ran with a synchronous waiter and so never suspended.</summary>
    public static T Completed<T>(ValueTask<T> loop)
    {
        Debug.Assert(loop.IsCompleted, "a synchronous waiter went asynchronous");
        return loop.GetAwaiter().GetResult();
    }
}
