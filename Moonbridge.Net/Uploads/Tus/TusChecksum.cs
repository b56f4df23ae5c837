using System.IO.Hashing;
using System.Security.Cryptography;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads.Tus;

/// <summary>
/// tus's checksum extension: <c>Upload-Checksum: {algorithm} {base64 digest}</c> over one PATCH's content, computed as
/// the content arrives. sha1 is the one the specification requires; sha256, md5 and crc32 are what clients use. With
/// checksum-trailer the field comes after the content, in the chunked body's trailer: the algorithm is then unknown
/// while the bytes pass, so every one is computed, and the trailer picks.
/// </summary>
internal sealed class TusChecksum : IDisposable
{
    public const string Algorithms = "sha1,sha256,md5,crc32";

    private static readonly string[] s_algorithms = ["sha1", "sha256", "md5", "crc32"];

    private readonly Dictionary<string, IncrementalHash> _hashes = new(StringComparer.Ordinal);
    private readonly Crc32? _crc32;
    private readonly string? _algorithm;
    private readonly byte[]? _expected;

    private TusChecksum(string? algorithm, byte[]? expected)
    {
        _algorithm = algorithm;
        _expected = expected;
        foreach (string name in algorithm is null ? s_algorithms : [algorithm])
        {
            if (name == "crc32")
            {
                _crc32 = new Crc32();
            }
            else
            {
                _hashes[name] = IncrementalHash.CreateHash(name switch
                {
                    "sha1" => HashAlgorithmName.SHA1,
                    "sha256" => HashAlgorithmName.SHA256,
                    _ => HashAlgorithmName.MD5,
                });
            }
        }
    }

    /// <summary>
    /// The checksum the request asks for: from <c>Upload-Checksum</c>, or, when the request announces it as a trailer
    /// (<c>Trailer: Upload-Checksum</c> on a chunked body), one that waits for it; null for neither. 400 for an unknown
    /// algorithm or bad base64.
    /// </summary>
    public static TusChecksum? FromRequest(HttpRequest request)
    {
        if (request.Headers.GetCsvString(TusFields.ChecksumName) is { } field)
        {
            (string algorithm, byte[] expected) = ParseField(field);
            return new TusChecksum(algorithm, expected);
        }

        return request.Headers.HasFlag("Trailer", TusFields.ChecksumName) && request.Headers.Contains("Transfer-Encoding")
            ? new TusChecksum(null, null)
            : null;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        foreach (IncrementalHash hash in _hashes.Values)
        {
            hash.AppendData(data);
        }

        _crc32?.Append(data);
    }

    /// <summary>
    /// Whether the content has the digest the client sent (crc32 in big-endian byte order, as clients encode it); for a
    /// trailer checksum, the trailer of <paramref name="request"/> says which, and a missing one is a 400.
    /// </summary>
    public bool Matches(HttpRequest request)
    {
        string algorithm;
        byte[] expected;
        if (_algorithm is not null)
        {
            (algorithm, expected) = (_algorithm, _expected!);
        }
        else
        {
            string field = request.Trailers.FirstOrDefault(t => t.Key.Equals(TusFields.ChecksumName, StringComparison.OrdinalIgnoreCase)).Value
                ?? throw new HttpStatusException(400, "Upload-Checksum was announced as a trailer but not sent");
            (algorithm, expected) = ParseField(field);
        }

        byte[] actual = algorithm == "crc32" ? BigEndian(_crc32!.GetCurrentHashAsUInt32()) : _hashes[algorithm].GetHashAndReset();
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    public void Dispose()
    {
        foreach (IncrementalHash hash in _hashes.Values)
        {
            hash.Dispose();
        }
    }

    private static (string Algorithm, byte[] Expected) ParseField(string field)
    {
        string[] parts = field.Trim().Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            throw new HttpStatusException(400, "Upload-Checksum is an algorithm and a base64 digest");
        }

        if (Array.IndexOf(s_algorithms, parts[0]) < 0)
        {
            throw new HttpStatusException(400, $"Unsupported checksum algorithm; this server knows {Algorithms}");
        }

        try
        {
            return (parts[0], Convert.FromBase64String(parts[1]));
        }
        catch (FormatException)
        {
            throw new HttpStatusException(400, "The Upload-Checksum digest is not base64");
        }
    }

    private static byte[] BigEndian(uint value)
    {
        byte[] bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
