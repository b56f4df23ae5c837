using System.Text.Json;

namespace Moonbridge.Net.Uploads.Ietf;

/// <summary>
/// The problem details (RFC 9457, <c>application/problem+json</c>) the IETF resumable-upload draft defines, as response
/// bodies: the type URIs are the IANA registry's, the members the draft's.
/// </summary>
internal static class UploadProblem
{
    public const string MediaType = "application/problem+json";

    public const string MismatchingOffsetType = "https://iana.org/assignments/http-problem-types#mismatching-upload-offset";

    public const string InconsistentLengthType = "https://iana.org/assignments/http-problem-types#inconsistent-upload-length";

    public const string CompletedUploadType = "https://iana.org/assignments/http-problem-types#completed-upload";

    /// <summary>409: the append did not start where the upload ends.</summary>
    public static byte[] MismatchingOffset(long expected, long provided) => Write(MismatchingOffsetType, "offset from request does not match offset of resource", writer =>
    {
        writer.WriteNumber("expected-offset", expected);
        writer.WriteNumber("provided-offset", provided);
    });

    /// <summary>400: the length indicators of the request, or of this and an earlier one, disagree.</summary>
    public static byte[] InconsistentLength() => Write(InconsistentLengthType, "inconsistent length values for upload", null);

    /// <summary>400: an append to a completed upload (interop versions up to 8; version 9 replays the final response instead).</summary>
    public static byte[] CompletedUpload() => Write(CompletedUploadType, "upload is already completed", null);

    /// <summary>A problem without a registered type (<c>about:blank</c>): a 413 for a size limit, whose <c>Upload-Limit</c> says more, or a digest mismatch.</summary>
    public static byte[] TooLarge(string title) => Untyped(title);

    /// <summary>A problem without a registered type (<c>about:blank</c>), only its title.</summary>
    public static byte[] Untyped(string title) => Write("about:blank", title, null);

    private static byte[] Write(string type, string title, Action<Utf8JsonWriter>? members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("title", title);
            members?.Invoke(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
