using Moonbridge.Net.Http;
using Moonbridge.Net.Http.StructuredFields;

namespace Moonbridge.Net.Uploads.Ietf;

/// <summary>
/// The draft's request fields, parsed as Structured Fields (RFC 9651). A field whose value is not a valid Item of the
/// right type is ignored, as the draft says, so it reads as absent; several field lines make a list, not an Item, and
/// are ignored too.
/// </summary>
internal readonly record struct IetfFields(long? InteropVersion, bool? Complete, long? Offset, long? Length)
{
    public const string InteropVersionName = "Upload-Draft-Interop-Version";
    public const string CompleteName = "Upload-Complete";
    public const string OffsetName = "Upload-Offset";
    public const string LengthName = "Upload-Length";
    public const string LimitName = "Upload-Limit";
    public const string PartialUploadType = "application/partial-upload";

    public static IetfFields Read(RequestHeaders headers) => new(
        Integer(headers, InteropVersionName),
        Boolean(headers, CompleteName),
        Integer(headers, OffsetName),
        Integer(headers, LengthName));

    private static long? Integer(RequestHeaders headers, string name)
        => Field(headers, name) is { } value && StructuredFieldParser.TryParseNonNegativeInteger(value, out long number) ? number : null;

    private static bool? Boolean(RequestHeaders headers, string name)
        => Field(headers, name) is { } value && StructuredFieldParser.TryParseBoolean(value, out bool flag) ? flag : null;

    private static string? Field(RequestHeaders headers, string name)
    {
        IReadOnlyList<string> lines = headers[name];
        return lines.Count switch
        {
            0 => null,
            1 => lines[0],
            _ => string.Join(", ", lines),
        };
    }
}
