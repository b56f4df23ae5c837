namespace Moonbridge.Net.Progress;

/// <summary>
/// The table behind progress tracking: which request is tracked under which id, and for how long a
/// finished one stays visible. <see cref="InMemoryProgressStore"/> serves one process; a store shared
/// between worker processes or machines can implement the same interface.
/// </summary>
/// <remarks>
/// <para>
/// <b>Asynchronous signatures.</b> Every member returns a <see cref="ValueTask"/>. An in-process store
/// completes synchronously (no allocation, no thread switch); a shared store needs a network round
/// trip at least for <see cref="TryAddAsync"/> (the "is this id live anywhere?" check) and must not
/// block a thread for it. Callers written against this interface therefore work unchanged with both.
/// </para>
/// <para>
/// <b>Snapshots by value.</b> Readers get a <see cref="ProgressSnapshot"/>, never the
/// <see cref="ProgressEntry"/>. A snapshot is what a shared store can actually deliver (a row, a
/// message), it cannot tear while being formatted, and a reader holding one cannot end someone else's
/// upload: only the request that registered an entry holds it and can update it. For the same reason
/// there is no "find the entry" member; waiting goes through <see cref="WaitForChangeAsync"/>.
/// </para>
/// <para>
/// <b>Release with an expiry time.</b> The tracker says when the request ended and until when its
/// outcome stays visible (its TTL) in one call, as an absolute time from its <see cref="TimeProvider"/>.
/// Expiry is then the store's business: the in-memory store drops expired entries lazily, a Redis
/// store would map it to <c>PEXPIREAT</c>, a SQL store to a column and a cleanup job. No timer per
/// entry is needed, and the tracker never has to come back to delete anything.
/// </para>
/// <para>
/// <b>Waiting in a shared store.</b> The registering process holds the live <see cref="ProgressEntry"/>.
/// A shared store publishes its state by looping on <see cref="ProgressEntry.WaitForChangeAsync"/> (with a
/// throttle, e.g. at most every 250 ms) and writing each snapshot to the shared medium; on
/// <see cref="ReleaseAsync"/> it writes the final snapshot with its expiry. Readers in other processes
/// implement <see cref="WaitForChangeAsync"/> by subscribing (Redis pub/sub, PostgreSQL
/// <c>LISTEN</c>/<c>NOTIFY</c>) or, failing that, by polling the shared row until its version exceeds
/// the one asked for. Versions come from the entry, so they mean the same in every process.
/// </para>
/// <para>
/// <b>Policy every store keeps.</b> An id is never taken over by another request while its entry is
/// held, running or finished (no hijacking of a running upload, unlike lighttpd2, and no overwriting of a
/// result its owner has yet to read); once it expires the id is free again. A full store refuses new ids
/// rather than failing anything, and the tracker then counts the request unregistered.
/// </para>
/// </remarks>
public interface IProgressStore
{
    /// <summary>Registers a running request under its <see cref="ProgressEntry.Id"/>.</summary>
    /// <param name="entry">The request's live record; it must be running.</param>
    /// <param name="cancellationToken">Ends the attempt (matters only for a shared store).</param>
    /// <returns>
    /// True when registered. False when the id belongs to a request that is still running or whose
    /// finished entry has not expired yet (a hijack attempt or a client bug), when the store is full, or
    /// when the entry has already ended.
    /// </returns>
    ValueTask<bool> TryAddAsync(ProgressEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Reads the current state of the request tracked under <paramref name="id"/>.</summary>
    /// <param name="id">The progress id.</param>
    /// <param name="cancellationToken">Ends the read (matters only for a shared store).</param>
    /// <returns>The snapshot; <see cref="ProgressSnapshot.Unknown"/> when no request is known or it has expired.</returns>
    ValueTask<ProgressSnapshot> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until the request under <paramref name="id"/> is newer than <paramref name="afterVersion"/>
    /// or has ended, as <see cref="ProgressEntry.WaitForChangeAsync"/> does.
    /// </summary>
    /// <param name="id">The progress id.</param>
    /// <param name="afterVersion">The version the caller has seen; 0 for "any state".</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>
    /// The newer or final snapshot; <see cref="ProgressSnapshot.Unknown"/> at once when no request is
    /// known under the id. (A watcher that started before the upload registered should retry after a
    /// pause; the store does not keep waiters for ids nobody has registered, which could be abused.)
    /// </returns>
    /// <exception cref="OperationCanceledException">The token was cancelled before a change.</exception>
    ValueTask<ProgressSnapshot> WaitForChangeAsync(string id, long afterVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells the store that the request has ended and its outcome stays visible until
    /// <paramref name="expiresAt"/>. An entry still running is aborted first (the request ended without
    /// a final status). Releasing an entry the store does not hold (unregistered, or replaced) does nothing.
    /// </summary>
    /// <param name="entry">The record passed to <see cref="TryAddAsync"/>.</param>
    /// <param name="expiresAt">When the finished entry disappears; a time already past removes it now.</param>
    /// <param name="cancellationToken">Ends the attempt (matters only for a shared store).</param>
    /// <returns>A task that completes when the store has taken note.</returns>
    ValueTask ReleaseAsync(ProgressEntry entry, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);
}
