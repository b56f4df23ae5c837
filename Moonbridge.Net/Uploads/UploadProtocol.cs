namespace Moonbridge.Net.Uploads;

/// <summary>The protocol an upload was created with; any of them may resume it afterwards.</summary>
internal enum UploadProtocol : byte
{
    /// <summary>The IETF "Resumable Uploads for HTTP" draft.</summary>
    Ietf,

    /// <summary>tus 1.0.</summary>
    Tus,

    /// <summary>The http-progress drafts: a resumable request (<c>Prefer: resume</c>) continued by byte-range PATCH.</summary>
    ByteRange,
}
