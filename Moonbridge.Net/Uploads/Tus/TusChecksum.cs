using System.IO.Hashing;
using System.Security.Cryptography;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads.Tus;

/// <summary>
/// tus's checksum extension: <c>Upload-Checksum: {algorithm} {base64 digest}</c> over one PATCH's content, computed as
/// the content arrives. sha1 is the one the specification requires; sha256, md5 and crc32 are what clients use.
/// </summary>
internal sealed class TusChecksum : IDisposable
{
    public const string Algorithms = "sha1,sha256,md5,crc32";

    private readonly IncrementalHash? _hash;
    private readonly Crc32? _crc32;
    private readonly byte[] _expected;

    private TusChecksum(IncrementalHash? hash, Crc32? crc32, byte[] expected)
    {
        _hash = hash;
        _crc32 = crc32;
        _expected = expected;
    }

    /// <summary>The checksum the request asks for, or null without <c>Upload-Checksum</c>; 400 for an unknown algorithm or bad base64.</summary>
    public static TusChecksum? FromRequest(HttpRequest request)
    {
        if (request.Headers.GetCsvString(TusFields.ChecksumName) is not { } field)
        {
            return null;
        }

        string[] parts = field.Trim().Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            throw new HttpStatusException(400, "Upload-Checksum is an algorithm and a base64 digest");
        }

        byte[] expected;
        try
        {
            expected = Convert.FromBase64String(parts[1]);
        }
        catch (FormatException)
        {
            throw new HttpStatusException(400, "The Upload-Checksum digest is not base64");
        }

        return parts[0] switch
        {
            "sha1" => new TusChecksum(IncrementalHash.CreateHash(HashAlgorithmName.SHA1), null, expected),
            "sha256" => new TusChecksum(IncrementalHash.CreateHash(HashAlgorithmName.SHA256), null, expected),
            "md5" => new TusChecksum(IncrementalHash.CreateHash(HashAlgorithmName.MD5), null, expected),
            "crc32" => new TusChecksum(null, new Crc32(), expected),
            _ => throw new HttpStatusException(400, $"Unsupported checksum algorithm; this server knows {Algorithms}"),
        };
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _hash?.AppendData(data);
        _crc32?.Append(data);
    }

    /// <summary>Whether the content so far has the digest the client sent (crc32 in big-endian byte order, as clients encode it).</summary>
    public bool Matches()
    {
        byte[] actual = _hash?.GetHashAndReset() ?? BigEndian(_crc32!.GetCurrentHashAsUInt32());
        return CryptographicOperations.FixedTimeEquals(actual, _expected);
    }

    public void Dispose() => _hash?.Dispose();

    private static byte[] BigEndian(uint value)
    {
        byte[] bytes = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
