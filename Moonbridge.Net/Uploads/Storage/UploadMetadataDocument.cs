using System.Text.Json.Serialization;

namespace Moonbridge.Net.Uploads.Storage;

/// <summary>An upload record as <see cref="IUploadRecords"/> keeps it: JSON, written whole.</summary>
internal sealed class UploadMetadataDocument
{
    public int Version { get; set; } = 1;

    public string Id { get; set; } = "";

    public UploadProtocol Protocol { get; set; }

    public string? Owner { get; set; }

    public string? Client { get; set; }

    public long Offset { get; set; }

    public long? Length { get; set; }

    public bool Complete { get; set; }

    public string? MediaType { get; set; }

    public string? Disposition { get; set; }

    public string? ContentEncoding { get; set; }

    /// <summary>tus metadata values in base64; null for a key sent without a value (not the same as an empty one).</summary>
    public Dictionary<string, string?> Metadata { get; set; } = new(StringComparer.Ordinal);

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public byte[]? FinalResponse { get; set; }

    public bool Partial { get; set; }

    public List<string>? Parts { get; set; }

    public long Epoch { get; set; }

    public static UploadMetadataDocument From(UploadRecord record) => new()
    {
        Id = record.Id,
        Protocol = record.Protocol,
        Owner = record.Owner,
        Client = record.Client,
        Offset = record.Offset,
        Length = record.Length,
        Complete = record.IsComplete,
        MediaType = record.MediaType,
        Disposition = record.Disposition,
        ContentEncoding = record.ContentEncoding,
        Metadata = record.Metadata.ToDictionary(entry => entry.Key, entry => entry.Value is null ? null : Convert.ToBase64String(entry.Value), StringComparer.Ordinal),
        CreatedAt = record.CreatedAt,
        ExpiresAt = record.ExpiresAt,
        FinalResponse = record.FinalResponse,
        Partial = record.IsPartial,
        Parts = record.Parts?.ToList(),
        Epoch = record.Epoch,
    };

    public UploadRecord ToRecord() => new()
    {
        Id = Id,
        Protocol = Protocol,
        Owner = Owner,
        Client = Client,
        Offset = Offset,
        Length = Length,
        IsComplete = Complete,
        MediaType = MediaType,
        Disposition = Disposition,
        ContentEncoding = ContentEncoding,
        Metadata = Metadata.ToDictionary(entry => entry.Key, entry => entry.Value is null ? null : Convert.FromBase64String(entry.Value), StringComparer.Ordinal),
        CreatedAt = CreatedAt,
        ExpiresAt = ExpiresAt,
        FinalResponse = FinalResponse,
        IsPartial = Partial,
        Parts = Parts,
        Epoch = Epoch,
    };
}

[JsonSerializable(typeof(UploadMetadataDocument))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class UploadMetadataJson : JsonSerializerContext;
