using System.Text;

namespace Moonbridge.Net.Uploads.Tus;

/// <summary>
/// What a tus upload's metadata says about its representation, in the fields the application sees for every protocol:
/// the media type (<c>filetype</c>, as Uppy and most clients send it) and a file name (<c>filename</c>). Both are
/// client text: a media type is taken only if it looks like one, a file name only ever percent-encoded.
/// </summary>
internal static class TusDescription
{
    public static string? MediaType(IReadOnlyDictionary<string, byte[]?> metadata)
    {
        string? type = Text(metadata, "filetype") ?? Text(metadata, "type");
        if (type is null || type.Length > 127)
        {
            return null;
        }

        int slash = type.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < type.Length - 1 && Http.Internal.HeaderValidation.IsToken(type.AsSpan(0, slash)) && Http.Internal.HeaderValidation.IsToken(type.AsSpan(slash + 1))
            ? type
            : null;
    }

    /// <summary><c>inline; filename*=UTF-8''…</c> (RFC 6266/8187) from <c>filename</c> (or <c>name</c>), or null.</summary>
    public static string? Disposition(IReadOnlyDictionary<string, byte[]?> metadata)
        => (Text(metadata, "filename") ?? Text(metadata, "name")) is { Length: > 0 } name
            ? "inline; filename*=UTF-8''" + Uri.EscapeDataString(name)
            : null;

    private static string? Text(IReadOnlyDictionary<string, byte[]?> metadata, string key)
    {
        if (!metadata.TryGetValue(key, out byte[]? value) || value is null)
        {
            return null;
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(value);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
