namespace Moonbridge.Net.Uploads;

/// <summary>An upload whose representation is complete, as handed to the <see cref="UploadCompletedHandler"/>.</summary>
public sealed class CompletedUpload
{
    private readonly IUploadStore _store;
    private readonly UploadRecord _record;

    internal CompletedUpload(IUploadStore store, UploadRecord record)
    {
        _store = store;
        _record = record;
    }

    /// <summary>The upload's id (32 hex digits), as in its URL.</summary>
    public string Id => _record.Id;

    /// <summary>The representation's length in bytes.</summary>
    public long Length => _record.Offset;

    /// <summary>The owner the upload is bound to (<see cref="ResumableUploadOptions.Owner"/>), or null.</summary>
    public string? Owner => _record.Owner;

    /// <summary>The media type the client gave at creation (<c>Content-Type</c>), or null.</summary>
    public string? ContentType => _record.MediaType;

    /// <summary>The <c>Content-Disposition</c> the client gave at creation (e.g. a file name), or null; untrusted text.</summary>
    public string? ContentDisposition => _record.Disposition;

    /// <summary>The content codings the representation carries (<c>Content-Encoding</c>), or null; the bytes are kept as sent.</summary>
    public string? ContentEncoding => _record.ContentEncoding;

    /// <summary>tus <c>Upload-Metadata</c>: keys with their decoded values (null for a key sent without one); untrusted.</summary>
    public IReadOnlyDictionary<string, byte[]?> Metadata => _record.Metadata;

    /// <summary>When the upload was created.</summary>
    public DateTimeOffset CreatedAt => _record.CreatedAt;

    /// <summary>Opens the representation for reading, from its first byte; dispose the stream when done.</summary>
    /// <param name="cancellationToken">Stops opening.</param>
    /// <returns>A read-only, seekable stream of <see cref="Length"/> bytes.</returns>
    /// <exception cref="InvalidOperationException">The upload was deleted meanwhile.</exception>
    public async ValueTask<Stream> OpenReadAsync(CancellationToken cancellationToken = default)
        => await _store.OpenContentAsync(_record.Id, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Upload {_record.Id} no longer exists.");
}
