namespace Moonbridge.Net.Progress.Operations;

/// <summary>
/// The table of status documents: running operations and, until they expire, finished ones.
/// <see cref="InMemoryOperationStore"/> serves one process. Readers get snapshots by value, so a shared
/// store could implement the same interface (the registering process holds the live entry).
/// </summary>
public interface IOperationStore
{
    /// <summary>Registers a running operation.</summary>
    /// <param name="entry">The live entry.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    /// <returns>False when the id is taken or the store is full of running operations.</returns>
    ValueTask<bool> TryAddAsync(OperationEntry entry, CancellationToken cancellationToken = default);

    /// <summary>The state of the operation <paramref name="id"/>.</summary>
    /// <param name="id">The operation id.</param>
    /// <param name="cancellationToken">Ends the read.</param>
    /// <returns>The snapshot, or null when unknown, removed or expired.</returns>
    ValueTask<OperationSnapshot?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Waits until the operation is newer than <paramref name="afterVersion"/> or completed.</summary>
    /// <param name="id">The operation id.</param>
    /// <param name="afterVersion">The version the caller has seen.</param>
    /// <param name="cancellationToken">Ends the wait.</param>
    /// <returns>The newer snapshot, or null when the operation is (or becomes) unknown.</returns>
    ValueTask<OperationSnapshot?> WaitForChangeAsync(string id, long afterVersion, CancellationToken cancellationToken = default);

    /// <summary>
    /// Says that the operation has ended and its status document stays until <paramref name="expiresAt"/>.
    /// Called when the operation body has returned, just before its result is published on the entry.
    /// </summary>
    /// <param name="entry">The entry passed to <see cref="TryAddAsync"/>.</param>
    /// <param name="expiresAt">When the status document disappears.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    /// <returns>A task that completes when noted.</returns>
    ValueTask ReleaseAsync(OperationEntry entry, DateTimeOffset expiresAt, CancellationToken cancellationToken = default);

    /// <summary>Removes the status document (a client's <c>DELETE</c>).</summary>
    /// <param name="id">The operation id.</param>
    /// <param name="cancellationToken">Ends the attempt.</param>
    /// <returns>True when it existed (and had not expired).</returns>
    ValueTask<bool> RemoveAsync(string id, CancellationToken cancellationToken = default);
}
