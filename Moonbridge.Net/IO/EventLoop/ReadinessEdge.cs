using System.Threading.Tasks.Sources;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// One kind of readiness of an edge-triggered registration (room for output, a pending connection), turned into the
/// one wait at a time that code finding <c>EAGAIN</c> needs.
/// </summary>
/// <remarks>
/// Edges are not repeated, so a waiter must not miss one that came between its attempt and its wait: every edge bumps
/// a counter, read before the attempt, and a waiter that finds the counter moved tries again instead of sleeping.
/// Whoever disarms the waiter (an edge, a cancellation, or the waiter itself) completes it, exactly once.
/// </remarks>
internal sealed class ReadinessEdge(ReadinessEdge.IEdgeCount? counter = null) : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _waiter = new() { RunContinuationsAsynchronously = false };
    private CancellationTokenRegistration _cancellation;
    private long _count;
    private int _armed;

    /// <summary>
    /// An owner that counts the edges itself, so that it can make the edge only when a first waiter needs one: it bumps
    /// its count before it looks for the edge to <see cref="Signal"/>, and the waiter reads that count after arming.
    /// </summary>
    internal interface IEdgeCount
    {
        long Edges { get; }
    }

    /// <summary>The edges so far: read it before an attempt, hand it to <see cref="WaitAsync"/> after <c>EAGAIN</c>.</summary>
    internal long Count => counter?.Edges ?? Volatile.Read(ref _count);

    /// <summary>
    /// Completes at the first edge after the attempt that <paramref name="countBeforeAttempt"/> was read for (at once if
    /// one came already, or when <paramref name="ended"/>), or fails with <see cref="OperationCanceledException"/>.
    /// The waiter continues on the thread that signals the edge (the loop's).
    /// </summary>
    internal ValueTask WaitAsync(long countBeforeAttempt, bool ended, CancellationToken cancellationToken = default)
    {
        _waiter.Reset();
        Interlocked.Exchange(ref _armed, 1);
        if ((Count != countBeforeAttempt || ended) && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            return ValueTask.CompletedTask;
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static (state, token) => ((ReadinessEdge)state!).Cancel(token), this);
        }

        return new ValueTask(this, _waiter.Version);
    }

    /// <summary>On the loop's thread (or a closer's): the readiness came; a waiter wakes inline.</summary>
    internal void Signal()
    {
        Interlocked.Increment(ref _count);
        if (Volatile.Read(ref _armed) == 1 && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _waiter.SetResult(true);
        }
    }

    private void Cancel(CancellationToken token)
    {
        if (Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _waiter.SetException(new OperationCanceledException(token));
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        _waiter.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _waiter.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _waiter.OnCompleted(continuation, state, token, flags);
}
