using System.Text;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Common field names in their usual spelling as shared strings: most requests then allocate no name
/// at all. Names are kept as sent, so only an exact (case-sensitive) match is shared.
/// </summary>
internal static class KnownHeaderNames
{
    private static readonly string[] _names =
    [
        "Host", "Accept", "Cookie", "Expect", "Origin", "Pragma", "Referer", "Upgrade", "Connection",
        "User-Agent", "Content-Type", "Authorization", "Cache-Control", "If-None-Match", "Content-Length",
        "Accept-Encoding", "Accept-Language", "Transfer-Encoding", "If-Modified-Since",
    ];

    /// <summary>The name as a string; the caller has checked it is a token (so ASCII).</summary>
    public static string GetString(ReadOnlySpan<byte> name)
    {
        foreach (string known in _names)
        {
            if (known.Length == name.Length && Ascii.Equals(name, known))
            {
                return known;
            }
        }

        return Encoding.ASCII.GetString(name);
    }
}
