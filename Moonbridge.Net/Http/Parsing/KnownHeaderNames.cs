using System.Text;

namespace Moonbridge.Net.Http.Parsing;

/// <summary>
/// Common field names in their usual spelling as shared strings: most requests then allocate no name
/// at all. Names are kept as sent, so only an exact (case-sensitive) match is shared.
/// </summary>
internal static class KnownHeaderNames
{
    /// <summary>The name as a string; the caller has checked it is a token (so ASCII).</summary>
    public static string GetString(ReadOnlySpan<byte> name)
    {
        // The length and the first byte leave at most one candidate to compare.
        string? known = name.Length switch
        {
            4 => "Host",
            6 => name[0] switch
            {
                (byte)'A' => "Accept",
                (byte)'C' => "Cookie",
                (byte)'E' => "Expect",
                (byte)'O' => "Origin",
                (byte)'P' => "Pragma",
                _ => null,
            },
            7 => name[0] == (byte)'R' ? "Referer" : "Upgrade",
            10 => name[0] == (byte)'C' ? "Connection" : "User-Agent",
            12 => "Content-Type",
            13 => name[0] switch
            {
                (byte)'A' => "Authorization",
                (byte)'C' => "Cache-Control",
                _ => "If-None-Match",
            },
            14 => "Content-Length",
            15 => name[7] == (byte)'E' ? "Accept-Encoding" : "Accept-Language",
            17 => name[0] == (byte)'T' ? "Transfer-Encoding" : "If-Modified-Since",
            _ => null,
        };

        return known is not null && Ascii.Equals(name, known) ? known : Encoding.ASCII.GetString(name);
    }
}
