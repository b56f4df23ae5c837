namespace Moonbridge.Net.Uploads;

/// <summary>
/// One request's hold on an upload, from <see cref="IUploadStore.TakeOverAsync"/> until disposed: it appends at
/// <see cref="Offset"/> and makes bytes durable, until a newer request takes the upload over, which cancels
/// <see cref="Superseded"/> (the request should stop reading, write what it had received, and end its connection)
/// and fails later calls other than <see cref="WriteAsync"/> and <see cref="SaveFinalResponseAsync"/> with
/// <see cref="UploadSupersededException"/>.
/// </summary>
internal interface IUploadAppend : IAsyncDisposable
{
    /// <summary>The upload as it was when this hold began.</summary>
    UploadRecord Record { get; }

    /// <summary>Where the next byte goes: the durable offset plus what this hold wrote since.</summary>
    long Offset { get; }

    /// <summary>Cancelled when a newer request takes the upload over.</summary>
    CancellationToken Superseded { get; }

    /// <summary>
    /// Appends <paramref name="data"/> at <see cref="Offset"/>; not durable until <see cref="MakeDurableAsync"/> (or the
    /// hold's end). Allowed after <see cref="Superseded"/>, for what the request had received already.
    /// </summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets what was written since the last durable point (a tus chunk whose checksum failed); the bytes are cut
    /// off when the upload is next taken over.
    /// </summary>
    void Rewind();

    /// <summary>Makes everything written so far durable and records the new offset; returns the record as stored.</summary>
    ValueTask<UploadRecord> MakeDurableAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="MakeDurableAsync"/> in the middle of a request: when the records cannot be written just now (their
    /// shared store does not answer), the bytes stay on disk, the record as last stored is returned, and the next
    /// checkpoint or the request's end records them.
    /// </summary>
    ValueTask<UploadRecord> CheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>Declares the representation's length (a deferred length, or one learned from the last request).</summary>
    ValueTask<UploadRecord> SetLengthAsync(long length, CancellationToken cancellationToken = default);

    /// <summary>Makes everything durable and marks the representation complete at <see cref="Offset"/>.</summary>
    ValueTask<UploadRecord> CompleteAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores the application's response to the completed upload, to be replayed to a client that lost it; still
    /// allowed after the hold was superseded, so an answer once given is never lost.
    /// </summary>
    ValueTask<UploadRecord> SaveFinalResponseAsync(byte[] response, CancellationToken cancellationToken = default);
}
