using System.Buffers;
using System.Security.Cryptography;

namespace Moonbridge.Net.Uploads;

/// <summary>
/// Upload identifiers: 128 bits from the system's CSPRNG as 32 lowercase hex digits. They appear in URLs and file
/// names, so anything else offered as an id (a guess, a path) is refused before it reaches a store.
/// </summary>
internal static class UploadId
{
    private static readonly SearchValues<char> s_hexDigits = SearchValues.Create("0123456789abcdef");

    public const int Length = 32;

    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public static bool IsValid(ReadOnlySpan<char> id)
        => id.Length == Length && !id.ContainsAnyExcept(s_hexDigits);
}
