using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Moonbridge.Net.Http.Ranges;

/// <summary>
/// Answers a GET or HEAD with a representation, honouring <c>Range</c> and <c>If-Range</c> (RFC 9110 §14): 200 with the
/// whole, 206 with one range (<c>Content-Range</c>) or several (<c>multipart/byteranges</c>), 416 when no range fits.
/// Every answer carries <c>Accept-Ranges: bytes</c> and an exact <c>Content-Length</c>.
/// </summary>
internal static class RangeResponder
{
    private const int PieceSize = 64 * 1024;

    /// <param name="request">The request to answer.</param>
    /// <param name="content">The representation's bytes.</param>
    /// <param name="representation">Its media type and validators.</param>
    /// <param name="extraHeaders">Fields for every answer, e.g. security headers; null for none.</param>
    /// <param name="cancellationToken">Stops reading the content.</param>
    public static async ValueTask SendAsync(
        HttpRequest request, Stream content, RepresentationMetadata representation, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders, CancellationToken cancellationToken)
    {
        long length = content.Length;
        var ranges = new List<ByteRange>();

        // Ranges apply to GET only (RFC 9110 §14.2), and only while the client's validator still holds.
        RangeVerdict verdict = request.Method == "GET" && IfRangeCondition.Holds(request.Headers.GetCsvString("If-Range"), representation)
            ? RangeHeaderParser.Parse(request.Headers.GetCsvString("Range"), length, ranges)
            : RangeVerdict.Whole;
        switch (verdict)
        {
            case RangeVerdict.Unsatisfiable:
                request.SendStatus(416);
                SendValidators(request, representation, extraHeaders);
                request.SendHeader("Content-Range", $"bytes */{Integer(length)}");
                request.SendHeader("Content-Length", "0");
                break;
            case RangeVerdict.Partial when ranges.Count == 1:
                ByteRange range = ranges[0];
                request.SendStatus(206);
                SendValidators(request, representation, extraHeaders);
                request.SendHeader("Content-Type", representation.ContentType);
                request.SendHeader("Content-Range", ContentRange(range, length));
                request.SendHeader("Content-Length", Integer(range.Length));
                await CopyAsync(request, content, range, cancellationToken).ConfigureAwait(false);
                break;
            case RangeVerdict.Partial:
                await SendMultipartAsync(request, content, representation, extraHeaders, ranges, length, cancellationToken).ConfigureAwait(false);
                break;
            default:
                request.SendStatus(200);
                SendValidators(request, representation, extraHeaders);
                request.SendHeader("Content-Type", representation.ContentType);
                request.SendHeader("Content-Length", Integer(length));
                if (request.Method != "HEAD")
                {
                    await CopyAsync(request, content, new ByteRange(0, length), cancellationToken).ConfigureAwait(false);
                }

                break;
        }
    }

    private static async ValueTask SendMultipartAsync(
        HttpRequest request, Stream content, RepresentationMetadata representation, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders, List<ByteRange> ranges, long length, CancellationToken cancellationToken)
    {
        string boundary = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        byte[][] partHeads = [.. ranges.Select(range => Encoding.ASCII.GetBytes(
            $"\r\n--{boundary}\r\nContent-Type: {representation.ContentType}\r\nContent-Range: {ContentRange(range, length)}\r\n\r\n"))];
        byte[] end = Encoding.ASCII.GetBytes($"\r\n--{boundary}--\r\n");
        long total = end.Length + partHeads.Sum(head => (long)head.Length) + ranges.Sum(range => range.Length);

        request.SendStatus(206);
        SendValidators(request, representation, extraHeaders);
        request.SendHeader("Content-Type", $"multipart/byteranges; boundary={boundary}");
        request.SendHeader("Content-Length", Integer(total));
        for (int i = 0; i < ranges.Count; i++)
        {
            await request.SendDataAsync(partHeads[i]).ConfigureAwait(false);
            await CopyAsync(request, content, ranges[i], cancellationToken).ConfigureAwait(false);
        }

        await request.SendDataAsync(end).ConfigureAwait(false);
    }

    private static void SendValidators(HttpRequest request, RepresentationMetadata representation, IReadOnlyList<KeyValuePair<string, string>>? extraHeaders)
    {
        foreach ((string name, string value) in extraHeaders ?? [])
        {
            request.SendHeader(name, value);
        }

        request.SendHeader("Accept-Ranges", "bytes");
        if (representation.ETag is { } tag)
        {
            request.SendHeader("ETag", tag);
        }

        if (representation.LastModified is { } modified)
        {
            request.SendHeader("Last-Modified", IfRangeCondition.TruncateToSeconds(modified).ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static async ValueTask CopyAsync(HttpRequest request, Stream content, ByteRange range, CancellationToken cancellationToken)
    {
        content.Seek(range.Start, SeekOrigin.Begin);
        byte[] piece = ArrayPool<byte>.Shared.Rent(PieceSize);
        try
        {
            long left = range.Length;
            while (left > 0)
            {
                int read = await content.ReadAsync(piece.AsMemory(0, (int)Math.Min(piece.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new IOException($"The content ended {left} bytes before its announced length.");
                }

                await request.SendDataAsync(piece.AsMemory(0, read)).ConfigureAwait(false);
                left -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(piece);
        }
    }

    private static string ContentRange(ByteRange range, long length) => $"bytes {Integer(range.Start)}-{Integer(range.End)}/{Integer(length)}";

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
