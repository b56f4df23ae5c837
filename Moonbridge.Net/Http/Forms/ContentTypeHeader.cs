using System.Buffers;
using System.Diagnostics.CodeAnalysis;

namespace Moonbridge.Net.Http.Forms;

/// <summary>
/// Reads a <c>Content-Type</c> value: <c>type/subtype; name=value; name="quoted \" value"</c>.
/// </summary>
/// <remarks>
/// Fixes against the original, which matched the header case-sensitively and found the boundary only as the
/// last parameter: media types compare case-insensitively, parameter names too, and the boundary may be
/// anywhere among the parameters, quoted or not. Parameters are separated by <c>;</c> only (the original
/// also took <c>,</c>, which no standard allows).
/// </remarks>
internal static class ContentTypeHeader
{
    public const string FormUrlEncoded = "application/x-www-form-urlencoded";

    public const string MultipartFormData = "multipart/form-data";

    // RFC 2046 §5.1.1 bcharsnospace; a space is allowed too, except as the last character.
    private static readonly SearchValues<char> s_boundaryChars =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'()+_,-./:=? ");

    /// <summary>
    /// Splits the value into the media type (lowercased) and its parameters (names case-insensitive, the
    /// first of a repeated name wins). False if the value has no <c>type/subtype</c>.
    /// </summary>
    public static bool TryParse(
        ReadOnlySpan<char> value,
        [NotNullWhen(true)] out string? mediaType,
        [NotNullWhen(true)] out Dictionary<string, string>? parameters)
    {
        ReadOnlySpan<char> main = HeaderParameters.MainValue(value);
        int slash = main.IndexOf('/');
        if (slash <= 0 || slash == main.Length - 1 || main.ContainsAny(' ', '\t'))
        {
            mediaType = null;
            parameters = null;
            return false;
        }

        mediaType = main.ToString().ToLowerInvariant();
        parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        HeaderParameters.Parse(value, backslashEscapes: true, parameters);
        return true;
    }

    /// <summary>Whether the media type (parameters ignored) is <paramref name="mediaType"/>, case-insensitively.</summary>
    public static bool IsMediaType(ReadOnlySpan<char> value, ReadOnlySpan<char> mediaType) =>
        HeaderParameters.MainValue(value).Equals(mediaType, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The boundary of a <c>multipart/form-data</c> value. False for any other media type; a
    /// <c>multipart/form-data</c> value whose boundary is missing or not valid by RFC 2046 (1–70 characters
    /// from the allowed set, not ending in a space) is a <see cref="FormParseException"/> with status 400.
    /// </summary>
    public static bool TryGetBoundary(ReadOnlySpan<char> value, [NotNullWhen(true)] out string? boundary)
    {
        boundary = null;
        if (!IsMediaType(value, MultipartFormData))
        {
            return false;
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        HeaderParameters.Parse(value, backslashEscapes: true, parameters);
        if (!parameters.TryGetValue("boundary", out string? found) || !IsValidBoundary(found))
        {
            throw new FormParseException(400, "Missing or invalid boundary in multipart/form-data Content-Type");
        }

        boundary = found;
        return true;
    }

    public static bool IsValidBoundary(ReadOnlySpan<char> boundary) =>
        boundary.Length is >= 1 and <= 70
        && !boundary.ContainsAnyExcept(s_boundaryChars)
        && boundary[^1] != ' ';
}
