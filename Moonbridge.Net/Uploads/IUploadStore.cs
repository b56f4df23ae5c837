namespace Moonbridge.Net.Uploads;

/// <summary>
/// Where uploads live, for all three protocol faces. Only durable state is ever reported; a request that wants to
/// change an upload takes it over first (<see cref="TakeOverAsync"/>), which ends the hold of any older request on
/// it (newest wins, never a 423). A shared store (several servers) keeps the same contract with the epoch compared
/// and set in the store.
/// </summary>
internal interface IUploadStore
{
    /// <summary>Creates an empty upload with a fresh id.</summary>
    ValueTask<UploadRecord> CreateAsync(UploadCreation creation, CancellationToken cancellationToken = default);

    /// <summary>The upload's durable state; null when there is none (an unknown, malformed, deleted or expired id).</summary>
    ValueTask<UploadRecord?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes the upload over for one request: an older request's hold is superseded and waited for (its written bytes
    /// made durable, or dropped if it fails), then the new hold starts at the durable offset. Null when there is no such upload.
    /// </summary>
    ValueTask<IUploadAppend?> TakeOverAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Reads the stored representation (its durable bytes); null when there is no such upload.</summary>
    ValueTask<Stream?> OpenContentAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Removes the upload, its data and its result, superseding any request holding it; false when there was none.</summary>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>How many incomplete uploads <paramref name="client"/> has (the cap on open uploads per client).</summary>
    ValueTask<int> CountOpenAsync(string client, CancellationToken cancellationToken = default);

    /// <summary>Removes every upload expired at <paramref name="now"/>; returns how many.</summary>
    ValueTask<int> SweepExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
