namespace Moonbridge.Net.Uploads;

/// <summary>
/// Where the upload store keeps each upload's record: its durable offset, length, metadata, epoch and the
/// application's final response, as one small JSON document the store writes whole. By default JSON files beside the
/// data files in <see cref="ResumableUploadOptions.Directory"/>; server instances that share that directory may keep
/// the records in a shared store instead (the <c>Moonbridge.Net.Redis</c> package has one). The uploaded bytes stay
/// in the directory either way.
/// </summary>
/// <remarks>
/// The store writes a record only after the bytes it counts are on disk, and only while it holds the upload (see
/// <see cref="IUploadClaims"/>), so an implementation needs no locking of its own. A store that cannot be reached
/// throws <see cref="Http.HttpStatusException"/> with status 503: the request that needed it is refused, an append in
/// progress keeps its bytes and records them at its next checkpoint.
/// </remarks>
public interface IUploadRecords
{
    /// <summary>The record of upload <paramref name="id"/> as last written; null when there is none.</summary>
    /// <param name="id">The upload id.</param>
    /// <param name="cancellationToken">Ends the read.</param>
    /// <returns>The document, or null.</returns>
    ValueTask<byte[]?> ReadAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces the record durably, unless the one stored is ahead of it (a higher epoch, or the same epoch and a
    /// higher offset): a request that lost the upload must not write its state back. Keeps it at least until
    /// <see cref="UploadRecordDocument.ExpiresAt"/>.
    /// </summary>
    /// <param name="record">The record and what the comparison needs.</param>
    /// <param name="cancellationToken">Ends the write.</param>
    /// <returns>False when a record ahead of this one was kept (nothing written).</returns>
    ValueTask<bool> WriteAsync(UploadRecordDocument record, CancellationToken cancellationToken = default);

    /// <summary>Removes the record of upload <paramref name="id"/>.</summary>
    /// <param name="id">The upload id.</param>
    /// <param name="cancellationToken">Ends the removal.</param>
    /// <returns>False when there was none.</returns>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// The ids of uploads with records, or, with <paramref name="expiredBy"/>, of those whose records expire by then
    /// (an implementation may list more, and may still list a removed one: the store reads each before acting). One
    /// whose records vanish by themselves when they expire lists their ids until <see cref="DeleteAsync"/>, so that
    /// the data files are swept too.
    /// </summary>
    /// <param name="expiredBy">Only records expiring by this time; null for all.</param>
    /// <param name="cancellationToken">Ends the listing.</param>
    /// <returns>The ids.</returns>
    IAsyncEnumerable<string> ListAsync(DateTimeOffset? expiredBy = null, CancellationToken cancellationToken = default);
}

/// <summary>An upload record as <see cref="IUploadRecords.WriteAsync"/> stores it.</summary>
/// <param name="Id">The upload id.</param>
/// <param name="Epoch">The upload's epoch: one more at every takeover by a request.</param>
/// <param name="Offset">The durable offset the record states.</param>
/// <param name="ExpiresAt">When the upload expires: the record is needed until then, and swept after.</param>
/// <param name="Json">The record (UTF-8 JSON), for <see cref="IUploadRecords.ReadAsync"/> to give back as it is.</param>
public readonly record struct UploadRecordDocument(string Id, long Epoch, long Offset, DateTimeOffset ExpiresAt, ReadOnlyMemory<byte> Json);
