namespace Moonbridge.Net.Uploads;

/// <summary>What a creation request fixes for the life of an upload.</summary>
internal sealed record UploadCreation
{
    public required UploadProtocol Protocol { get; init; }

    /// <summary>Who may resume it (the application's owner binding); null when uploads are not bound.</summary>
    public string? Owner { get; init; }

    /// <summary>Who makes the upload, for the cap on open uploads per client: its owner, else the client's address.</summary>
    public string? Client { get; init; }

    /// <summary>The representation's length when declared at creation; null when deferred.</summary>
    public long? Length { get; init; }

    public string? MediaType { get; init; }

    public string? Disposition { get; init; }

    public string? ContentEncoding { get; init; }

    /// <summary>tus <c>Upload-Metadata</c>: keys with decoded values (null for a key sent without one).</summary>
    public IReadOnlyDictionary<string, byte[]?> Metadata { get; init; } = new Dictionary<string, byte[]?>(StringComparer.Ordinal);

    /// <summary>tus concatenation: a partial upload.</summary>
    public bool IsPartial { get; init; }

    /// <summary>tus concatenation: the partial uploads a final upload is made of.</summary>
    public IReadOnlyList<string>? Parts { get; init; }

    /// <summary>When the upload and its data are removed if not completed (and, once completed, when its result is).</summary>
    public required DateTimeOffset ExpiresAt { get; init; }
}
