using Microsoft.Extensions.Logging;

namespace Moonbridge.Net.Server.Internal;

/// <summary>
/// Admission of connections to one pool: at most <c>MaxConnections</c> open at once, and none while the
/// process is short of file descriptors (<see cref="DescriptorReserve"/>). An accept loop waits here before
/// it accepts, so connections beyond the limits wait in the kernel's backlog, costing this process nothing.
/// </summary>
internal sealed class ConnectionGate
{
    /// <summary>How often a loop held back by descriptors looks again: others in the process may close theirs.</summary>
    private static readonly TimeSpan s_descriptorRecheck = TimeSpan.FromMilliseconds(200);

    private readonly int _limit;
    private readonly ILogger _logger;
    private readonly string _pool;
    private readonly Lock _lock = new();
    private TaskCompletionSource? _closed;
    private int _open;
    private bool _shortOfDescriptors;

    public ConnectionGate(int limit, ILogger logger, string pool)
    {
        _limit = limit;
        _logger = logger;
        _pool = pool;
    }

    /// <summary>The pool's name (its connections' metrics tag).</summary>
    public string Pool => _pool;

    /// <summary>Connections admitted and not yet closed.</summary>
    public int Open => Volatile.Read(ref _open);

    /// <summary>Waits until one more connection may be accepted; completes at once (without allocating) when it may.</summary>
    public ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
        => HasRoom(out _) ? ValueTask.CompletedTask : WaitSlowAsync(cancellationToken);

    /// <summary>Counts a connection just accepted.</summary>
    public void Admit()
    {
        Interlocked.Increment(ref _open);
        DescriptorReserve.Accepted();
    }

    /// <summary>Counts a connection closed, waking an accept loop held back by either limit.</summary>
    public void Release()
    {
        Interlocked.Decrement(ref _open);
        DescriptorReserve.Closed();
        TaskCompletionSource? closed;
        lock (_lock)
        {
            closed = _closed;
            _closed = null;
        }

        closed?.TrySetResult();
    }

    /// <summary>An accept failed for want of descriptors although the reserve looked sufficient: the rest of the process took them.</summary>
    public ValueTask OutOfDescriptorsAsync(CancellationToken cancellationToken)
    {
        NoteShortOfDescriptors();
        return new ValueTask(Task.Delay(s_descriptorRecheck, cancellationToken));
    }

    private bool HasRoom(out bool descriptors)
    {
        descriptors = false;
        if (Volatile.Read(ref _open) >= _limit)
        {
            return false;
        }

        if (!DescriptorReserve.HasRoom())
        {
            descriptors = true;
            return false;
        }

        if (_shortOfDescriptors)
        {
            lock (_lock)
            {
                if (_shortOfDescriptors)
                {
                    _shortOfDescriptors = false;
                    ServerLog.AcceptingResumed(_logger, _pool, _open);
                }
            }
        }

        return true;
    }

    private async ValueTask WaitSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task closed;
            lock (_lock)
            {
                if (HasRoom(out bool descriptors))
                {
                    return;
                }

                if (descriptors)
                {
                    NoteShortOfDescriptors();
                }

                closed = (_closed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }

            await Task.WhenAny(closed, Task.Delay(s_descriptorRecheck, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Logged once per shortage, not per attempt: a server at its limit would otherwise flood its log.</summary>
    private void NoteShortOfDescriptors()
    {
        lock (_lock)
        {
            if (_shortOfDescriptors)
            {
                return;
            }

            _shortOfDescriptors = true;
        }

        ServerLog.AcceptingPaused(_logger, _pool, _open, DescriptorReserve.Limit, DescriptorReserve.Reserve);
    }
}
