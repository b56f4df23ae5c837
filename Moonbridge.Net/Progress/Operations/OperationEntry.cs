using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>
/// The live record of one operation: its progress and, at the end, its result. The library updates it
/// from the operation body; readers take <see cref="Snapshot"/>s or wait for changes. Thread-safe.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The token source has no timer: it holds nothing to release.")]
public sealed class OperationEntry
{
    private readonly Lock _lock = new();
    private readonly ChangeSignal _signal = new();
    private readonly CancellationTokenSource _removed = new();
    private OperationSnapshot _snapshot;

    /// <summary>Creates a running entry with no progress yet.</summary>
    /// <param name="id">The operation id; a valid <see cref="ProgressId"/>.</param>
    /// <param name="target">The request target that started it.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a valid id.</exception>
    public OperationEntry(string id, string target)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(target);
        if (!ProgressId.IsValid(id))
        {
            throw new ArgumentException("Not a valid operation id.", nameof(id));
        }

        Id = id;
        _snapshot = new OperationSnapshot(id, target, OperationState.Running, 0, null, null, 1, null);
    }

    /// <summary>The operation id.</summary>
    public string Id { get; }

    /// <summary>Cancelled by <see cref="MarkRemoved"/>: the status document was removed where this process did not see the <c>DELETE</c>.</summary>
    public CancellationToken Removed => _removed.Token;

    /// <summary>
    /// Says that the status document was removed elsewhere: a shared store calls it when a <c>DELETE</c> through
    /// another instance removed the document of an operation running here. The operation is cancelled as a
    /// <c>DELETE</c> here would cancel it.
    /// </summary>
    public void MarkRemoved() => _removed.Cancel();

    /// <summary>Whether the operation is still running.</summary>
    public bool IsRunning => Snapshot().State == OperationState.Running;

    /// <summary>The current state.</summary>
    /// <returns>A snapshot.</returns>
    public OperationSnapshot Snapshot()
    {
        lock (_lock)
        {
            return _snapshot;
        }
    }

    /// <summary>
    /// Records progress. A numerator below the last one is raised to it (numerators never decrease); a
    /// total below the numerator is raised to it. Ignored once completed.
    /// </summary>
    /// <param name="completed">The numerator, at least 0.</param>
    /// <param name="total">The denominator, or null when unknown.</param>
    /// <param name="remark">What is being done, or null.</param>
    /// <returns>True when the state changed.</returns>
    public bool Report(long completed, long? total, string? remark)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completed);
        if (total is { } t)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(t, nameof(total));
        }

        lock (_lock)
        {
            OperationSnapshot current = _snapshot;
            if (current.State != OperationState.Running)
            {
                return false;
            }

            long numerator = Math.Max(completed, current.Completed);
            long? denominator = total is { } d ? Math.Max(d, numerator) : null;
            if (numerator == current.Completed && denominator == current.Total && remark == current.Remark)
            {
                return false;
            }

            _snapshot = current with { Completed = numerator, Total = denominator, Remark = remark, Version = current.Version + 1 };
        }

        _signal.Notify();
        return true;
    }

    /// <summary>Records the final result; only the first call counts.</summary>
    /// <param name="result">The operation's final response.</param>
    /// <returns>True when this call completed the entry.</returns>
    public bool Complete(OperationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        lock (_lock)
        {
            if (_snapshot.State != OperationState.Running)
            {
                return false;
            }

            _snapshot = _snapshot with { State = OperationState.Completed, Result = result, Version = _snapshot.Version + 1 };
        }

        _signal.Notify();
        return true;
    }

    /// <summary>Waits until the version exceeds <paramref name="afterVersion"/> or the entry completes.</summary>
    /// <param name="afterVersion">The version the caller has seen.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>The newer or final snapshot.</returns>
    /// <exception cref="OperationCanceledException">The token was cancelled first.</exception>
    public async ValueTask<OperationSnapshot> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task next = _signal.NextAsync();
            OperationSnapshot snapshot = Snapshot();
            if (snapshot.Version > afterVersion || snapshot.State != OperationState.Running)
            {
                return snapshot;
            }

            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
