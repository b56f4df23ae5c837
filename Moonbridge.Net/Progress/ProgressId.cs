using System.Buffers;
using System.Security.Cryptography;
using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress;

/// <summary>Progress ids: what a valid one looks like, minting one, and finding one in a query string.</summary>
/// <remarks>
/// A valid id is 1 to 128 characters from <c>[A-Za-z0-9._~-]</c>, the characters RFC 3986 §2.3 calls
/// unreserved. Such an id never needs escaping in a URL, a header, JSON, HTML or a log line, and it
/// covers what clients send in practice (UUIDs, hex strings, <c>Math.random()</c> digits). lighttpd2
/// accepts any bytes up to 128; Apache's module allows <c>:/!{}</c> too, which would need escaping here.
/// </remarks>
public static class ProgressId
{
    /// <summary>The longest valid id, as in lighttpd2.</summary>
    public const int MaxLength = 128;

    /// <summary>The query parameter lighttpd2 reads; <see cref="TryGetFromQuery"/> matches it in any case.</summary>
    public const string QueryParameterName = "X-Progress-Id";

    // Bytes of entropy in a minted id: 128 bits, as a random UUID has 122.
    private const int MintedBytes = 16;

    private static readonly SearchValues<char> s_idChars =
        SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._~-");

    /// <summary>Whether <paramref name="id"/> is a valid progress id (1 to 128 characters from <c>[A-Za-z0-9._~-]</c>).</summary>
    /// <param name="id">The candidate id.</param>
    /// <returns>True when valid.</returns>
    public static bool IsValid(ReadOnlySpan<char> id) =>
        id.Length is > 0 and <= MaxLength && !id.ContainsAnyExcept(s_idChars);

    /// <summary>
    /// Mints a server-side id: 128 bits from <see cref="RandomNumberGenerator"/> as 32 lowercase hex digits.
    /// Unlike a client's <c>Math.random()</c> id, it cannot be guessed by someone who wants to watch or spoil
    /// another user's upload.
    /// </summary>
    /// <returns>A fresh valid id.</returns>
    public static string NewId()
    {
        Span<byte> random = stackalloc byte[MintedBytes];
        RandomNumberGenerator.Fill(random);
        return Convert.ToHexStringLower(random);
    }

    /// <summary>
    /// Finds the <c>X-Progress-Id</c> parameter in a raw query string. The name matches in any case
    /// (<c>X-Progress-ID</c>, as nginx and Apache clients send it, or <c>x-progress-id</c>); the value is
    /// percent-decoded and must then be a valid id. When the name occurs more than once, the first one counts.
    /// </summary>
    /// <param name="query">The query, with or without its leading <c>?</c>; null or empty finds nothing.</param>
    /// <param name="id">The decoded id; null when the result is false.</param>
    /// <returns>True when the parameter is present and its value is a valid id.</returns>
    public static bool TryGetFromQuery(string? query, out string? id)
    {
        id = null;
        if (string.IsNullOrEmpty(query))
        {
            return false;
        }

        ReadOnlySpan<char> rest = query.AsSpan();
        if (rest[0] == '?')
        {
            rest = rest[1..];
        }

        while (!rest.IsEmpty)
        {
            int end = rest.IndexOf('&');
            ReadOnlySpan<char> item = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 1)..];

            int equals = item.IndexOf('=');
            ReadOnlySpan<char> name = equals < 0 ? item : item[..equals];
            if (QueryComponent.EqualsIgnoreCase(name, QueryParameterName))
            {
                return equals >= 0 && QueryComponent.TryDecodeId(item[(equals + 1)..], out id);
            }
        }

        return false;
    }
}
