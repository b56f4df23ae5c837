namespace Moonbridge.Net.Uploads;

/// <summary>
/// "Newest request wins" between server processes that share one upload directory (behind a load balancer): before
/// a request changes an upload, it claims it here, which tells the request holding it (in any process) to stop, and
/// waits until that one has made its bytes durable and let go, or until its lease ran out because its process died.
/// Within one process <see cref="ResumableUploads"/> coordinates requests itself; set
/// <see cref="ResumableUploadOptions.Claims"/> only when several processes serve one directory (the
/// <c>Moonbridge.Net.Redis</c> package has an implementation).
/// </summary>
public interface IUploadClaims
{
    /// <summary>Claims upload <paramref name="id"/> for one request, once every older holder has let go.</summary>
    /// <param name="id">The upload id.</param>
    /// <param name="cancellationToken">Ends the wait (the request went away).</param>
    /// <returns>The claim; dispose it when the request is done with the upload.</returns>
    /// <exception cref="UploadSupersededException">A newer request claimed the upload while this one waited: it ends unanswered.</exception>
    /// <exception cref="Http.HttpStatusException">The coordination is unavailable (503): nothing may change the upload now.</exception>
    ValueTask<IUploadClaim> ClaimAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// How many uploads of <paramref name="client"/> are open (created, not yet complete, not expired) in every process
    /// sharing the directory, for <see cref="ResumableUploadOptions.MaxOpenUploadsPerClient"/>; null when the
    /// coordination does not count them, or cannot now, and the store counts the ones it knows.
    /// </summary>
    /// <param name="client">The client (its address, or the owner the application names).</param>
    /// <param name="cancellationToken">Ends the count.</param>
    /// <returns>The count, or null.</returns>
    ValueTask<int?> CountOpenAsync(string client, CancellationToken cancellationToken = default) => ValueTask.FromResult<int?>(null);

    /// <summary>An upload of a client was created: it counts as open until <see cref="ClosedAsync"/>, or until it expires.</summary>
    /// <param name="id">The new upload's id.</param>
    /// <param name="client">Its client.</param>
    /// <param name="expiresAt">When it expires unless completed; null when it never does.</param>
    /// <param name="cancellationToken">Ends the call.</param>
    /// <returns>A task that completes when the upload is counted (or could not be: a count is a limit, not a record).</returns>
    ValueTask OpenedAsync(string id, string client, DateTimeOffset? expiresAt, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <summary>Upload <paramref name="id"/> is no longer open: completed, deleted or expired.</summary>
    /// <param name="id">The upload id.</param>
    /// <param name="cancellationToken">Ends the call.</param>
    /// <returns>A task that completes when the count forgot the upload.</returns>
    ValueTask ClosedAsync(string id, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}

/// <summary>One request's claim on an upload, from <see cref="IUploadClaims.ClaimAsync"/> until disposed.</summary>
public interface IUploadClaim : IAsyncDisposable
{
    /// <summary>
    /// Cancelled when a newer request wants the upload, or when the claim cannot be kept (its lease could not be
    /// renewed): the holder stops reading, makes what it wrote durable if <see cref="IsHeldAsync"/> still says so, and
    /// disposes the claim.
    /// </summary>
    CancellationToken Superseded { get; }

    /// <summary>Whether the claim still holds the upload; asked before each durable write, so a holder that lost it never writes the upload's state.</summary>
    /// <param name="cancellationToken">Ends the check.</param>
    /// <returns>True while no other request holds the upload.</returns>
    ValueTask<bool> IsHeldAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The epoch and offset last committed for the upload by any claim (<see cref="CommitAsync"/>), read when this claim
    /// was granted; null when the coordination keeps none. The store trusts it over its own record: a holder that lost
    /// its claim between its check and its write may have recorded an offset nobody confirmed, and a crash between a
    /// commit and the record's write leaves the record behind.
    /// </summary>
    UploadCommit? Committed => null;

    /// <summary>
    /// Records <paramref name="offset"/> as durable in upload epoch <paramref name="epoch"/>, as one compare-and-set:
    /// only while this claim holds the upload, and never behind what was committed before (a lower epoch, or the same
    /// epoch with a lower offset). Called after the bytes are on disk and before the store's record says so.
    /// </summary>
    /// <param name="epoch">The upload's epoch (<see cref="UploadRecord.Epoch"/>), one more at every takeover.</param>
    /// <param name="offset">The offset now durable.</param>
    /// <param name="cancellationToken">Ends the commit.</param>
    /// <returns>False when the claim no longer holds the upload (nothing was recorded); by default, <see cref="IsHeldAsync"/>.</returns>
    ValueTask<bool> CommitAsync(long epoch, long offset, CancellationToken cancellationToken = default) => IsHeldAsync(cancellationToken);
}

/// <summary>What the coordination last recorded as durable for an upload.</summary>
/// <param name="Epoch">The upload's epoch at the commit.</param>
/// <param name="Offset">The durable offset.</param>
public readonly record struct UploadCommit(long Epoch, long Offset);
