using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.ByteRange;

/// <summary>
/// The framing of the two text forms of a byte-range patch (draft-wright-http-patch-byterange), apart from what a part
/// does to an upload: <c>message/byterange</c> is one part's field section then its content; <c>multipart/byteranges</c>
/// is parts between boundary delimiters, each part's content as long as its <c>Content-Range</c> says, so the delimiter
/// follows its last byte. Kept apart from the upload so it can run over any content: the fuzz target feeds it bytes in
/// memory, whole and in pieces.
/// </summary>
internal static class ByteRangePatchFraming
{
    private const int FieldLineLimit = 8 * 1024;
    private const int FieldLinesPerPart = 64;

    /// <summary>A <c>message/byterange</c>: <paramref name="applyPart"/> gets the part's fields and reads its content from the rest.</summary>
    public static async ValueTask ApplySingleAsync(RequestContent content, Func<IReadOnlyDictionary<string, string>, IContentSource, ValueTask> applyPart)
    {
        IReadOnlyDictionary<string, string> fields = await ReadFieldSectionAsync(content).ConfigureAwait(false)
            ?? throw new HttpStatusException(400, "The patch ended before its part's fields");
        await applyPart(fields, content).ConfigureAwait(false);
    }

    /// <summary>
    /// A <c>multipart/byteranges</c>: <paramref name="applyPart"/> gets each part's fields and must read exactly the part's
    /// range from the content it is given, since the part has no delimiter of its own before the next boundary.
    /// </summary>
    public static async ValueTask ApplyMultipartAsync(RequestContent content, string boundary, Func<IReadOnlyDictionary<string, string>, IContentSource, ValueTask> applyPart)
    {
        string delimiter = "--" + boundary;

        // The preamble, up to the first delimiter.
        string? line;
        while ((line = await content.ReadLineAsync(FieldLineLimit).ConfigureAwait(false)) != delimiter)
        {
            if (line is null)
            {
                throw new HttpStatusException(400, "The patch has no part");
            }
        }

        while (true)
        {
            IReadOnlyDictionary<string, string> fields = await ReadFieldSectionAsync(content).ConfigureAwait(false)
                ?? throw new HttpStatusException(400, "The patch ended inside a part's fields");
            await applyPart(fields, content).ConfigureAwait(false);

            // The part's length comes from its range, so the delimiter follows its last byte.
            string? afterBody = await content.ReadLineAsync(FieldLineLimit).ConfigureAwait(false);
            string? next = afterBody == "" ? await content.ReadLineAsync(FieldLineLimit).ConfigureAwait(false) : afterBody;
            if (next == delimiter + "--")
            {
                return;
            }

            if (next != delimiter)
            {
                throw new HttpStatusException(400, "A part's content is longer than its Content-Range says, or the patch ended early");
            }
        }
    }

    /// <summary>A part's range from its <c>Content-Range</c>; a <c>Content-Length</c>, when the part has one, must be the range's length.</summary>
    public static PatchRange PartRange(IReadOnlyDictionary<string, string> fields)
    {
        if (!fields.TryGetValue("content-range", out string? field) || !PatchRange.TryParse(field, out PatchRange range))
        {
            throw new HttpStatusException(400, "Every part needs a Content-Range with one known range");
        }

        if (fields.TryGetValue("content-length", out string? partLength)
            && (range.Length is not { } expected || partLength.Trim() != expected.ToString(CultureInfo.InvariantCulture)))
        {
            throw new HttpStatusException(400, "A part's Content-Length must equal the length of its range");
        }

        return range;
    }

    /// <summary>A part's fields, names lower-cased, up to the empty line; null when the content ends first.</summary>
    private static async ValueTask<IReadOnlyDictionary<string, string>?> ReadFieldSectionAsync(RequestContent content)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int count = 0; ; count++)
        {
            string? line = await content.ReadLineAsync(FieldLineLimit).ConfigureAwait(false);
            if (line is null)
            {
                return null;
            }

            if (line.Length == 0)
            {
                return fields;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || count >= FieldLinesPerPart)
            {
                throw new HttpStatusException(400, "A part's field section is malformed or too long");
            }

            fields[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }
    }
}
