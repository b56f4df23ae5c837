namespace Moonbridge.Net.Uploads;

/// <summary>
/// The state of one upload as a store last made it durable: what every protocol face reports. <see cref="Offset"/>
/// counts only bytes that would survive a crash, so an offset once reported is never taken back.
/// </summary>
internal sealed record UploadRecord
{
    public required string Id { get; init; }

    public required UploadProtocol Protocol { get; init; }

    public string? Owner { get; init; }

    /// <summary>Who made the upload, for the cap on open uploads per client: its owner, else the client's address.</summary>
    public string? Client { get; init; }

    /// <summary>Bytes of the representation stored durably.</summary>
    public required long Offset { get; init; }

    /// <summary>The representation's length, once known.</summary>
    public long? Length { get; init; }

    /// <summary>True once the client said the representation ends here (or it reached its declared length).</summary>
    public bool IsComplete { get; init; }

    public string? MediaType { get; init; }

    public string? Disposition { get; init; }

    public string? ContentEncoding { get; init; }

    public IReadOnlyDictionary<string, byte[]?> Metadata { get; init; } = new Dictionary<string, byte[]?>(StringComparer.Ordinal);

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>tus concatenation: a partial upload, to become part of a final one; never handed to the application itself.</summary>
    public bool IsPartial { get; init; }

    /// <summary>tus concatenation: the ids of the partial uploads a final upload is made of, in order; null for other uploads.</summary>
    public IReadOnlyList<string>? Parts { get; init; }

    /// <summary>The application's response to the completed upload, stored to be replayed to a client that lost it.</summary>
    public byte[]? FinalResponse { get; init; }

    /// <summary>Raised by every request that takes the upload over (newest wins); a shared store compares and sets it.</summary>
    public long Epoch { get; init; }
}
