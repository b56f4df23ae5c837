namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>Runs a synchronous (possibly blocking) operation on a thread of its own.</summary>
internal static class BlockingThread
{
    /// <summary>
    /// Starts <paramref name="work"/> on a dedicated thread. When <paramref name="waiting"/> is given,
    /// it is set once that thread enters a wait (or the work ends): the blocking forms offer no hook,
    /// so the thread's own state is the signal that they have taken what was there and now wait.
    /// </summary>
    public static Task<T> Run<T>(Func<T> work, TaskCompletionSource? waiting)
    {
        var started = new TaskCompletionSource<Thread>(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<T> task = Task.Factory.StartNew(
            () =>
            {
                started.SetResult(Thread.CurrentThread);
                return work();
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        if (waiting is not null)
        {
            _ = SignalWhenWaitingAsync(started.Task, task, waiting);
        }

        return task;
    }

    private static async Task SignalWhenWaitingAsync(Task<Thread> started, Task work, TaskCompletionSource waiting)
    {
        Thread thread = await started;
        Deadline deadline = Deadline.Start();
        var spin = default(SpinWait);
        while (!work.IsCompleted && (thread.ThreadState & ThreadState.WaitSleepJoin) == 0 && deadline.Remaining > TimeSpan.Zero)
        {
            spin.SpinOnce();
        }

        waiting.TrySetResult();
    }
}
