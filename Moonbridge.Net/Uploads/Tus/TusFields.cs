using System.Globalization;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads.Tus;

/// <summary>
/// The tus 1.0 request fields. Unlike the IETF draft's they are not Structured Fields: offsets and lengths are plain
/// digits, and a malformed one is a 400, not an absent field.
/// </summary>
internal static class TusFields
{
    public const string Version = "1.0.0";
    public const string ResumableName = "Tus-Resumable";
    public const string OffsetName = "Upload-Offset";
    public const string LengthName = "Upload-Length";
    public const string DeferLengthName = "Upload-Defer-Length";
    public const string MetadataName = "Upload-Metadata";
    public const string ConcatName = "Upload-Concat";
    public const string ChecksumName = "Upload-Checksum";
    public const string ExpiresName = "Upload-Expires";
    public const string OffsetStreamType = "application/offset+octet-stream";
    public const string Extensions = "creation,creation-with-upload,creation-defer-length,expiration,checksum,checksum-trailer,termination,concatenation,concatenation-unfinished";

    /// <summary>Whether the request speaks tus: it names the protocol's version (any version, so a wrong one gets its 412).</summary>
    public static bool IsTus(HttpRequest request) => request.Headers.Contains(ResumableName);

    /// <summary>The method a tus client meant: <c>X-HTTP-Method-Override</c> lets clients without PATCH or DELETE send POST.</summary>
    public static string Method(HttpRequest request)
        => request.Headers.GetCsvString("X-HTTP-Method-Override") is { Length: > 0 } method ? method.Trim().ToUpperInvariant() : request.Method;

    /// <summary>A plain non-negative integer field; absent is null, malformed throws a 400 naming the field.</summary>
    public static long? Integer(HttpRequest request, string name)
    {
        IReadOnlyList<string> lines = request.Headers[name];
        if (lines.Count == 0)
        {
            return null;
        }

        string value = lines[0].Trim(' ', '\t');
        if (lines.Count > 1 || value.Length is 0 or > 18 || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long number))
        {
            throw new HttpStatusException(400, $"{name} must be one non-negative integer");
        }

        return number;
    }

    /// <summary>The length the upload declares: <c>Upload-Length</c>, or null with <c>Upload-Defer-Length: 1</c>.</summary>
    public static bool TryGetDeclaredLength(HttpRequest request, out long? length)
    {
        length = Integer(request, LengthName);
        string? defer = request.Headers.GetCsvString(DeferLengthName);
        if (defer is not null && defer.Trim() != "1")
        {
            throw new HttpStatusException(400, "Upload-Defer-Length must be 1");
        }

        if (defer is not null && length is not null)
        {
            throw new HttpStatusException(400, "Upload-Length and Upload-Defer-Length exclude each other");
        }

        return length is not null || defer is not null;
    }

    public static string HttpDate(DateTimeOffset time) => time.ToUniversalTime().ToString("R", CultureInfo.InvariantCulture);
}
