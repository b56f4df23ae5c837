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
}
