using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress;

/// <summary>
/// The live record of one tracked request. The connection that serves the request updates it as bytes
/// move; any number of other requests read <see cref="Snapshot"/>s of it or wait for its next change.
/// </summary>
/// <remarks>
/// <para>
/// Updates are lock-free (interlocked counters and a version number), so counting every read off the
/// socket stays cheap; waiters are woken only when there are some. All members are thread-safe.
/// </para>
/// <para>
/// An entry starts <see cref="ProgressState.Running"/> and ends exactly once, by <see cref="Complete"/>
/// or <see cref="Abort"/>; the first of them wins. Updates after the end are ignored, so the final
/// figures stay as they were when the request ended (an update racing the end may still land).
/// </para>
/// </remarks>
public sealed class ProgressEntry
{
    // A size field holds this while the size is unknown; a long plus a sentinel can be updated
    // atomically, a long? cannot.
    private const long UnknownSize = -1;

    // State and final status share one int (status << 2 | state), so the end is a single
    // compare-and-swap and a reader can never pair a final state with a stale status.
    private const int StateBits = 2;
    private const int StateMask = (1 << StateBits) - 1;
    private const int RunningOutcome = (int)ProgressState.Running;

    private readonly ChangeSignal _changed = new();
    private long _received;
    private long _sent;
    private long _requestSize = UnknownSize;
    private long _responseSize = UnknownSize;
    private long _version = 1;
    private int _outcome = RunningOutcome;

    /// <summary>Starts a running record for the request tracked under <paramref name="id"/>.</summary>
    /// <param name="id">The progress id; see <see cref="ProgressId.IsValid"/>.</param>
    /// <exception cref="ArgumentException">The id is not a valid progress id.</exception>
    public ProgressEntry(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!ProgressId.IsValid(id))
        {
            throw new ArgumentException("A progress id is 1 to 128 characters from [A-Za-z0-9._~-].", nameof(id));
        }

        Id = id;
    }

    /// <summary>The progress id the request is tracked under.</summary>
    public string Id { get; }

    /// <summary>The current state; <see cref="ProgressState.Running"/> until the request ends.</summary>
    public ProgressState State => (ProgressState)(Volatile.Read(ref _outcome) & StateMask);

    /// <summary>Whether the request has not ended yet.</summary>
    public bool IsRunning => State == ProgressState.Running;

    /// <summary>Counts request body bytes that arrived.</summary>
    /// <param name="bytes">How many bytes arrived; 0 changes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public void AddReceived(long bytes) => Add(ref _received, bytes);

    /// <summary>Counts response bytes that were sent.</summary>
    /// <param name="bytes">How many bytes were sent; 0 changes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    public void AddSent(long bytes) => Add(ref _sent, bytes);

    /// <summary>Sets the announced request body size (<c>Content-Length</c>).</summary>
    /// <param name="size">The size, or null when unknown (chunked).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public void SetRequestSize(long? size) => SetSize(ref _requestSize, size);

    /// <summary>Sets the response size; it may be set again when a streamed response grows.</summary>
    /// <param name="size">The size, or null when unknown.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is negative.</exception>
    public void SetResponseSize(long? size) => SetSize(ref _responseSize, size);

    /// <summary>
    /// Ends the request with its final status: <see cref="ProgressState.Done"/> for 2xx (and 101 Switching
    /// Protocols, the only final 1xx), <see cref="ProgressState.Error"/> for any other status, as the
    /// specification and lighttpd2 have it (so a POST-redirect-GET's 303 reads as an error with status 303).
    /// </summary>
    /// <param name="status">The final HTTP status, 100 to 599.</param>
    /// <returns>True when this call ended the request; false when it had already ended.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="status"/> is not 100 to 599.</exception>
    public bool Complete(int status)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        return End(status is 101 or (>= 200 and < 300) ? ProgressState.Done : ProgressState.Error, status);
    }

    /// <summary>
    /// Ends the request as <see cref="ProgressState.Error"/> without a final status (status 0): the client
    /// went away, the upload was cut, or the response broke off. Status 0 tells a reader that no final
    /// response completed; an entry that already ended keeps its state and status.
    /// </summary>
    /// <returns>True when this call ended the request; false when it had already ended.</returns>
    public bool Abort() => End(ProgressState.Error, status: 0);

    /// <summary>Copies the current state.</summary>
    /// <remarks>
    /// The version is read first, so the figures are at least as new as the version says. A reader
    /// that waits for "a version after this one" may then see the same figures again, but never misses a
    /// change.
    /// </remarks>
    /// <returns>The state, counters and version as they are now.</returns>
    public ProgressSnapshot Snapshot()
    {
        long version = Volatile.Read(ref _version);
        int outcome = Volatile.Read(ref _outcome);
        return new ProgressSnapshot(
            (ProgressState)(outcome & StateMask),
            Volatile.Read(ref _received),
            SizeOrNull(Volatile.Read(ref _requestSize)),
            Volatile.Read(ref _sent),
            SizeOrNull(Volatile.Read(ref _responseSize)),
            outcome >> StateBits,
            version);
    }

    /// <summary>
    /// Waits, without blocking a thread, until the record is newer than <paramref name="afterVersion"/> or
    /// the request has ended. Any number of waiters may wait at once.
    /// </summary>
    /// <param name="afterVersion">The version the caller has seen; 0 for "any state".</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>
    /// A snapshot with a version above <paramref name="afterVersion"/>, or the final snapshot; the latter
    /// at once when the request has already ended, so a loop stops on <see cref="ProgressSnapshot.IsFinished"/>.
    /// </returns>
    /// <exception cref="OperationCanceledException">The token was cancelled before a change.</exception>
    public ValueTask<ProgressSnapshot> WaitForChangeAsync(long afterVersion, CancellationToken cancellationToken = default)
    {
        ProgressSnapshot now = Snapshot();
        if (IsNewerOrFinal(now, afterVersion))
        {
            return ValueTask.FromResult(now);
        }

        return cancellationToken.IsCancellationRequested
            ? ValueTask.FromCanceled<ProgressSnapshot>(cancellationToken)
            : WaitSlowlyAsync(afterVersion, cancellationToken);
    }

    private async ValueTask<ProgressSnapshot> WaitSlowlyAsync(long afterVersion, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed = _changed.NextAsync();

            // Check again after subscribing: a change between the first look and the subscription
            // would otherwise be slept through.
            ProgressSnapshot now = Snapshot();
            if (IsNewerOrFinal(now, afterVersion))
            {
                return now;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsNewerOrFinal(in ProgressSnapshot snapshot, long afterVersion) =>
        snapshot.Version > afterVersion || snapshot.IsFinished;

    private void Add(ref long counter, long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytes == 0 || !IsRunning)
        {
            return;
        }

        Interlocked.Add(ref counter, bytes);
        Changed();
    }

    private void SetSize(ref long field, long? size)
    {
        if (size is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A size cannot be negative.");
        }

        if (!IsRunning || Interlocked.Exchange(ref field, size ?? UnknownSize) == (size ?? UnknownSize))
        {
            return;
        }

        Changed();
    }

    private bool End(ProgressState state, int status)
    {
        int outcome = (status << StateBits) | (int)state;
        if (Interlocked.CompareExchange(ref _outcome, outcome, RunningOutcome) != RunningOutcome)
        {
            return false;
        }

        Changed();
        return true;
    }

    private void Changed()
    {
        Interlocked.Increment(ref _version);
        _changed.Notify();
    }

    private static long? SizeOrNull(long size) => size == UnknownSize ? null : size;
}
