namespace Moonbridge.Net.Progress.Internal;

/// <summary>
/// Wakes every waiter at the next change without a thread per waiter. Waiters share one task; a notifier
/// swaps it out and completes it. With no waiter a notification is a single volatile read of null,
/// which is what keeps per-read byte counting cheap.
/// </summary>
/// <remarks>
/// Correctness relies on ordering, not locks: a waiter publishes its task (an interlocked
/// compare-exchange, a full fence), or finds one already published, before it re-reads the state it waits on, and a notifier changes that state (interlocked,
/// a full fence) before it looks for a task. So either the waiter sees the change, or the notifier sees
/// the task. A waiter may wake without a change (it then checks again); it never misses one.
/// </remarks>
internal sealed class ChangeSignal
{
    private TaskCompletionSource? _next;

    /// <summary>A task that completes at the next <see cref="Notify"/>. Re-check the state after calling this.</summary>
    public Task NextAsync()
    {
        TaskCompletionSource? current = Volatile.Read(ref _next);
        if (current is not null)
        {
            return current.Task;
        }

        // Continuations run on the thread pool: the connection thread that reports progress must not
        // end up running a thousand Server-Sent Events writers inline.
        var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return (Interlocked.CompareExchange(ref _next, created, null) ?? created).Task;
    }

    /// <summary>Wakes the current waiters, if any. Call after the change is visible.</summary>
    public void Notify()
    {
        if (Volatile.Read(ref _next) is null)
        {
            return;
        }

        Interlocked.Exchange(ref _next, null)?.TrySetResult();
    }
}
