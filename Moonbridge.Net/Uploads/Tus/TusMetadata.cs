using System.Buffers;
using System.Text;

namespace Moonbridge.Net.Uploads.Tus;

/// <summary>
/// The tus <c>Upload-Metadata</c> field: comma-separated pairs of a key and its value in base64, separated by a space;
/// a key alone has an empty value (the specification lets the space go when the value is empty). Keys are unique,
/// non-empty visible ASCII without commas.
/// Values are kept as bytes and only ever sent back base64-encoded, so what a client put in them (CR, LF, markup)
/// never reaches a header or page as text.
/// </summary>
internal static class TusMetadata
{
    /// <summary>Keys: visible ASCII except the comma.</summary>
    private static readonly SearchValues<char> s_keyChars = SearchValues.Create(
        "!\"#$%&'()*+-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Parses the field; on failure <paramref name="error"/> says why (for the 400's reason).</summary>
    public static bool TryParse(string? field, out IReadOnlyDictionary<string, byte[]?> metadata, out string? error)
    {
        var parsed = new Dictionary<string, byte[]?>(StringComparer.Ordinal);
        metadata = parsed;
        error = null;
        if (string.IsNullOrWhiteSpace(field))
        {
            return true;
        }

        foreach (string rawPair in field.Split(','))
        {
            string pair = rawPair.Trim(' ', '\t');
            if (pair.Length == 0)
            {
                error = "Upload-Metadata has an empty pair.";
                return false;
            }

            int space = pair.IndexOf(' ', StringComparison.Ordinal);
            string key = space < 0 ? pair : pair[..space];
            if (key.Length == 0 || key.AsSpan().ContainsAnyExcept(s_keyChars))
            {
                error = "An Upload-Metadata key is empty or holds a space, comma or non-ASCII character.";
                return false;
            }

            byte[] value = [];
            if (space >= 0)
            {
                string encoded = pair[(space + 1)..];
                value = new byte[(encoded.Length / 4 * 3) + 3];
                if (encoded.Contains(' ', StringComparison.Ordinal) || !Convert.TryFromBase64String(encoded, value, out int length))
                {
                    error = $"The Upload-Metadata value of '{key}' is not base64.";
                    return false;
                }

                value = value[..length];
            }

            if (!parsed.TryAdd(key, value))
            {
                error = $"Upload-Metadata repeats the key '{key}'.";
                return false;
            }
        }

        return true;
    }

    /// <summary>The field for a HEAD response: every key as received, every value base64-encoded.</summary>
    public static string Format(IReadOnlyDictionary<string, byte[]?> metadata)
    {
        var field = new StringBuilder();
        foreach ((string key, byte[]? value) in metadata)
        {
            if (field.Length > 0)
            {
                field.Append(',');
            }

            field.Append(key);
            if (value is { Length: > 0 })
            {
                field.Append(' ').Append(Convert.ToBase64String(value));
            }
        }

        return field.ToString();
    }
}
