using System.Security.Cryptography;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.StructuredFields;

namespace Moonbridge.Net.Uploads.Ietf;

/// <summary>
/// <c>Content-Digest</c> (RFC 9530) on a creation or append: the digest of this request's content, checked as it
/// arrives. The strongest algorithm the server knows is used (sha-512, then sha-256); a field naming only others is
/// ignored, as the RFC lets a recipient do. Content that does not match is not appended, nor is content cut short.
/// </summary>
internal sealed class ContentDigest : IDisposable
{
    private readonly IncrementalHash _hash;
    private readonly byte[] _expected;

    private ContentDigest(HashAlgorithmName algorithm, byte[] expected)
    {
        _hash = IncrementalHash.CreateHash(algorithm);
        _expected = expected;
    }

    /// <summary>The digest to check, or null without a field the server can check; 400 for a field that is not a Dictionary.</summary>
    public static ContentDigest? FromRequest(HttpRequest request)
    {
        if (request.Headers.GetCsvString("Content-Digest") is not { } field)
        {
            return null;
        }

        if (!StructuredFieldParser.TryParseDictionary(field, out IReadOnlyList<KeyValuePair<string, StructuredMember>> members))
        {
            throw new HttpStatusException(400, "Content-Digest is not a Structured Field Dictionary");
        }

        foreach ((string key, HashAlgorithmName algorithm) in s_known)
        {
            foreach ((string name, StructuredMember member) in members)
            {
                if (name == key && member.Item is { Value.Type: StructuredValueType.ByteSequence } item)
                {
                    return new ContentDigest(algorithm, item.Value.Bytes.ToArray());
                }
            }
        }

        return null;
    }

    public void Append(ReadOnlySpan<byte> data) => _hash.AppendData(data);

    public bool Matches() => CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), _expected);

    public void Dispose() => _hash.Dispose();

    private static readonly (string Key, HashAlgorithmName Algorithm)[] s_known = [("sha-512", HashAlgorithmName.SHA512), ("sha-256", HashAlgorithmName.SHA256)];
}
