namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// What a <c>multipart/form-data</c> part says about itself (the original's <c>post_metadata</c> entry, plus
/// the field name and all part headers).
/// </summary>
public sealed class PostMetadata
{
    internal PostMetadata(
        string fieldName,
        string? fileName,
        string? contentType,
        IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        FieldName = fieldName;
        FileName = fileName;
        ContentType = contentType;
        Headers = headers;
    }

    /// <summary>The <c>name</c> parameter of the part's <c>Content-Disposition</c>.</summary>
    public string FieldName { get; }

    /// <summary>
    /// The file name from <c>Content-Disposition</c>: <c>filename*</c> (RFC 5987, UTF-8) if given, else
    /// <c>filename</c>, quoted or not; null for a field that is not a file. As sent by the client, so never use
    /// it as a path without sanitising it.
    /// </summary>
    public string? FileName { get; }

    /// <summary>The part's <c>Content-Type</c> value as sent (parameters included), or null if it had none.</summary>
    public string? ContentType { get; }

    /// <summary>All part headers in order: names as sent, values with surrounding whitespace removed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }
}
