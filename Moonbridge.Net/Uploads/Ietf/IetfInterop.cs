namespace Moonbridge.Net.Uploads.Ietf;

/// <summary>
/// The draft versions spoken (<c>Upload-Draft-Interop-Version</c>) and the few rules that differ between them; every
/// other rule is shared. 5: draft -03 (iOS 18.0, tus-js-client <c>ietf-draft-03</c>); 6: -04/-05 (iOS 18.1+,
/// tus-js-client <c>ietf-draft-05</c>); 8: -09 to -11; 9: -12 and the editor's copy after it. A request without a
/// version (or with another one) is served by the newest rules, without any 104.
/// </summary>
internal static class IetfInterop
{
    public const long Latest = 9;

    /// <summary>Whether a 104 may be sent for this version: only one the server speaks, and never to HTTP/1.0.</summary>
    public static bool Announces(long? version, string httpVersion)
        => version is 5 or 6 or 8 or Latest && httpVersion != "HTTP/1.0";

    /// <summary>Appends must be <c>application/partial-upload</c> from version 6 on (and by the newest rules).</summary>
    public static bool RequiresPartialUploadType(long? version) => version is not (5);

    /// <summary>
    /// Version 9 may answer a valid append to a completed upload with the stored final response (a client that lost
    /// it); versions up to 8 had to refuse it.
    /// </summary>
    public static bool ReplaysCompletedUploads(long? version) => version is not (5 or 6 or 8);

    /// <summary>
    /// The <c>Upload-Limit</c> value for this version, or null when it has none (5: draft -03 predates the field;
    /// 6 called the seconds left <c>expires</c>, later versions <c>max-age</c>).
    /// </summary>
    public static string? LimitField(long? version, UploadLimits limits, DateTimeOffset now, DateTimeOffset? expiresAt) => version switch
    {
        5 => null,
        6 => limits.ToFieldValue(now, expiresAt, "expires"),
        _ => limits.ToFieldValue(now, expiresAt),
    };
}
