using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.ByteRange;

/// <summary>
/// <c>application/byteranges</c>: the binary form of a multi-part byte-range patch, framed like <c>message/bhttp</c>
/// (RFC 9292) without control data. Each part is a known-length message (framing indicator 8: a length-prefixed field
/// section and content) or an indeterminate-length one (10: fields and content chunks each ended by a zero). Integers
/// are QUIC variable-length integers (RFC 9000 §16).
/// </summary>
internal static class ByteRangesDocument
{
    private const int FieldSectionLimit = 64 * 1024;

    public static async ValueTask ApplyAsync(RequestContent content, Func<IReadOnlyDictionary<string, string>, IContentSource, ValueTask> applyPart)
    {
        bool any = false;
        while (await ReadVarintAsync(content, allowEnd: true).ConfigureAwait(false) is { } indicator)
        {
            any = true;
            switch (indicator)
            {
                case 8:
                    long sectionLength = await ReadVarintAsync(content).ConfigureAwait(false) ?? 0;
                    if (sectionLength > FieldSectionLimit)
                    {
                        throw new HttpStatusException(400, "A part's field section is too long");
                    }

                    byte[] section = new byte[sectionLength];
                    if (!await content.ReadExactlyAsync(section).ConfigureAwait(false))
                    {
                        throw Truncated();
                    }

                    IReadOnlyDictionary<string, string> fields = ParseFieldLines(section);
                    long contentLength = await ReadVarintAsync(content).ConfigureAwait(false) ?? 0;
                    IContentSource part = RequestContent.Limit(content, contentLength);
                    await applyPart(fields, part).ConfigureAwait(false);
                    await EnsureConsumedAsync(part).ConfigureAwait(false);
                    break;
                case 10:
                    IReadOnlyDictionary<string, string> streamedFields = await ReadIndeterminateFieldsAsync(content).ConfigureAwait(false);
                    var chunks = new ChunkSource(content);
                    await applyPart(streamedFields, chunks).ConfigureAwait(false);
                    await EnsureConsumedAsync(chunks).ConfigureAwait(false);
                    break;
                default:
                    throw new HttpStatusException(400, "Unknown framing indicator in application/byteranges");
            }
        }

        if (!any)
        {
            throw new HttpStatusException(400, "The patch has no part");
        }
    }

    private static Dictionary<string, string> ParseFieldLines(ReadOnlySpan<byte> section)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!section.IsEmpty)
        {
            string name = ReadString(ref section);
            string value = ReadString(ref section);
            fields[name.ToLowerInvariant()] = value;
        }

        return fields;
    }

    private static string ReadString(ref ReadOnlySpan<byte> section)
    {
        long length = ReadVarint(ref section);
        if (length > section.Length)
        {
            throw Truncated();
        }

        string text = Encoding.Latin1.GetString(section[..(int)length]);
        section = section[(int)length..];
        return text;
    }

    private static long ReadVarint(ref ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            throw Truncated();
        }

        int size = 1 << (data[0] >> 6);
        if (data.Length < size)
        {
            throw Truncated();
        }

        long value = data[0] & 0x3F;
        for (int i = 1; i < size; i++)
        {
            value = (value << 8) | data[i];
        }

        data = data[size..];
        return value;
    }

    private static async ValueTask<IReadOnlyDictionary<string, string>> ReadIndeterminateFieldsAsync(RequestContent content)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        long total = 0;
        while (await ReadVarintAsync(content).ConfigureAwait(false) is { } nameLength && nameLength > 0)
        {
            string name = await ReadTextAsync(content, nameLength).ConfigureAwait(false);
            long valueLength = await ReadVarintAsync(content).ConfigureAwait(false) ?? 0;
            string value = await ReadTextAsync(content, valueLength).ConfigureAwait(false);
            total += nameLength + valueLength;
            if (total > FieldSectionLimit)
            {
                throw new HttpStatusException(400, "A part's field section is too long");
            }

            fields[name.ToLowerInvariant()] = value;
        }

        return fields;
    }

    private static async ValueTask<string> ReadTextAsync(RequestContent content, long length)
    {
        if (length > FieldSectionLimit)
        {
            throw new HttpStatusException(400, "A part's field is too long");
        }

        byte[] text = new byte[length];
        return await content.ReadExactlyAsync(text).ConfigureAwait(false) ? Encoding.Latin1.GetString(text) : throw Truncated();
    }

    /// <summary>A variable-length integer; null at the end of the content when <paramref name="allowEnd"/> (between parts).</summary>
    private static async ValueTask<long?> ReadVarintAsync(RequestContent content, bool allowEnd = false)
    {
        int first = await content.ReadByteAsync().ConfigureAwait(false);
        if (first < 0)
        {
            return allowEnd ? null : throw Truncated();
        }

        int size = 1 << (first >> 6);
        long value = first & 0x3F;
        for (int i = 1; i < size; i++)
        {
            int next = await content.ReadByteAsync().ConfigureAwait(false);
            value = next < 0 ? throw Truncated() : (value << 8) | (uint)next;
        }

        return value;
    }

    /// <summary>A part's content must be exactly its range: anything left over is an error, not the next part.</summary>
    private static async ValueTask EnsureConsumedAsync(IContentSource part)
    {
        byte[] probe = new byte[1];
        if (await part.ReadAsync(probe, CancellationToken.None).ConfigureAwait(false) > 0)
        {
            throw new HttpStatusException(400, "A part's content is longer than its Content-Range says");
        }
    }

    private static HttpStatusException Truncated() => new(400, "The application/byteranges document ends early");

    /// <summary>An indeterminate-length content: chunks, each length-prefixed, until a zero length.</summary>
    private sealed class ChunkSource(RequestContent content) : IContentSource
    {
        private long _left;
        private bool _ended;

        public async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (_left == 0 && !_ended)
            {
                _left = await ReadVarintAsync(content).ConfigureAwait(false) ?? 0;
                _ended = _left == 0;
            }

            if (_ended || destination.IsEmpty)
            {
                return 0;
            }

            int read = await content.ReadAsync(destination[..(int)Math.Min(destination.Length, _left)], cancellationToken).ConfigureAwait(false);
            _left -= read;
            return read == 0 ? throw Truncated() : read;
        }
    }
}
