using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.ByteRange;

internal sealed partial class ByteRangeUploads
{
    public const string SingleRangeType = "message/byterange";
    public const string MultipartType = "multipart/byteranges";
    public const string BinaryType = "application/byteranges";

    /// <summary>Whether a PATCH carries a byte-range patch this face applies.</summary>
    public static bool IsPatch(string? mediaType)
        => mediaType is not null && (mediaType.Equals(SingleRangeType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals(MultipartType, StringComparison.OrdinalIgnoreCase)
            || mediaType.Equals(BinaryType, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// <c>PATCH</c> with a byte-range patch. <c>message/byterange</c> (one part) is stored as it arrives, like any
    /// resumable append; <c>multipart/byteranges</c> and <c>application/byteranges</c> (several parts) are all or
    /// nothing, as their clients expect: nothing is kept unless every part arrived whole. A part must continue the
    /// upload: one starting past its end is refused (409, no sparse uploads), and one starting before it has its bytes
    /// up to the end skipped, not compared (a resend of what the server already has). When the upload reaches its
    /// complete length the answer is the application's final response; until then 200.
    /// </summary>
    public async ValueTask PatchAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        string mediaType = UploadContext.MediaType(request)!;
        bool atomic = !mediaType.Equals(SingleRangeType, StringComparison.OrdinalIgnoreCase);
        var content = RequestContent.Of(request, context.Stopping);
        IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            if (hold.Record.IsComplete)
            {
                throw new HttpStatusException(409, "The upload is complete; its result is at " + context.ResourcePath(id) + "/result");
            }

            try
            {
                if (mediaType.Equals(SingleRangeType, StringComparison.OrdinalIgnoreCase))
                {
                    await ByteRangePatchFraming.ApplySingleAsync(content, (fields, part) => ApplyPartAsync(hold, fields, part, request, atomic: false)).ConfigureAwait(false);
                }
                else if (mediaType.Equals(MultipartType, StringComparison.OrdinalIgnoreCase))
                {
                    string boundary = Boundary(request) ?? throw new HttpStatusException(400, "multipart/byteranges needs a boundary");
                    await ByteRangePatchFraming.ApplyMultipartAsync(content, boundary, (fields, part) => ApplyPartAsync(hold, fields, part, request, atomic: true)).ConfigureAwait(false);
                }
                else
                {
                    await ByteRangesDocument.ApplyAsync(content, (fields, part) => ApplyPartAsync(hold, fields, part, request, atomic: true)).ConfigureAwait(false);
                }
            }
            catch (Exception) when (atomic)
            {
                // All or nothing: no part of a multi-part patch counts unless all of them arrived.
                hold.Rewind();
                throw;
            }

            await AnswerAsync(request, hold, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The final response once the upload is whole; else 200 with what is kept.</summary>
    private async ValueTask AnswerAsync(HttpRequest request, IUploadAppend hold, CancellationToken cancellationToken)
    {
        if (hold.Record.Length is { } length && hold.Offset == length)
        {
            await hold.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            context.ReportCompleted(request, hold);
            StoredResponse final = await context.Completion.FinishAsync(hold, cancellationToken).ConfigureAwait(false);
            await UploadCompletion.SendAsync(request, final, []).ConfigureAwait(false);
            return;
        }

        UploadRecord record = await hold.MakeDurableAsync(CancellationToken.None).ConfigureAwait(false);
        request.SendStatus(200);
        request.SendHeader("Upload-Offset", Integer(record.Offset));
        request.SendHeader("Content-Length", "0");
    }

    /// <summary>
    /// Writes one part at the upload's end. A part cut short keeps what arrived of it (an interruption, as the draft
    /// says); the request then fails, and a multi-part patch rolls back.
    /// </summary>
    private async ValueTask ApplyPartAsync(IUploadAppend hold, IReadOnlyDictionary<string, string> fields, IContentSource content, HttpRequest request, bool atomic)
    {
        PatchRange range = ByteRangePatchFraming.PartRange(fields);
        await SetCompleteLengthAsync(hold, range.CompleteLength).ConfigureAwait(false);
        if (range.First is not { } first)
        {
            return; // bytes */N: the length alone
        }

        if (first > hold.Offset)
        {
            throw new HttpStatusException(409, $"The upload ends at byte {hold.Offset}; a part may not leave a gap");
        }

        if (atomic && range.Length is null)
        {
            throw new HttpStatusException(400, "A part of a multi-part patch needs a range with a known end");
        }

        // Bytes the server already has are skipped: a resend after a lost answer is harmless.
        long skip = hold.Offset - first;
        long? rest = range.Length - skip;
        await DrainAsync(content, Math.Min(skip, range.Length ?? long.MaxValue)).ConfigureAwait(false);
        if (rest is <= 0)
        {
            return;
        }

        long before = hold.Offset;
        await UploadBodyCopy.CopyAsync(
            request,
            hold,
            hold.Record.Length,
            null,
            context.Clock,
            atomic ? Timeout.InfiniteTimeSpan : context.Options.CheckpointInterval,
            source: rest is { } known ? RequestContent.Limit(content, known) : content,
            written: context.ProgressOf(request, hold)).ConfigureAwait(false);
        if (rest is { } wanted && hold.Offset - before < wanted)
        {
            throw new HttpStatusException(400, "The patch ended before its part's range did; what arrived is kept unless the patch had several parts");
        }
    }

    private async ValueTask SetCompleteLengthAsync(IUploadAppend hold, long? completeLength)
    {
        if (completeLength is not { } total)
        {
            return;
        }

        if (total > context.Limits.MaxSize)
        {
            // A size claim, as a PUT of that size would be: 400, not 413 (which would ask the client to split the patch).
            throw new HttpStatusException(400, "The complete length is larger than this server accepts");
        }

        if (hold.Record.Length is { } known ? known != total : total < hold.Offset)
        {
            throw new HttpStatusException(400, "The complete length contradicts the upload's length or what it already holds");
        }

        if (hold.Record.Length is null)
        {
            await hold.SetLengthAsync(total, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async ValueTask DrainAsync(IContentSource content, long count)
    {
        byte[] scratch = new byte[Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            int read = await content.ReadAsync(scratch.AsMemory(0, (int)Math.Min(scratch.Length, count)), CancellationToken.None).ConfigureAwait(false);
            if (read == 0)
            {
                throw new HttpStatusException(400, "The patch ended inside bytes the upload already holds");
            }

            count -= read;
        }
    }

    private static string? Boundary(HttpRequest request)
    {
        foreach (string parameter in (request.Headers.GetCsvString("Content-Type") ?? "").Split(';').Skip(1))
        {
            string[] pair = parameter.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length == 2 && pair[0].Equals("boundary", StringComparison.OrdinalIgnoreCase) && pair[1].Trim('"') is { Length: > 0 and <= 70 } boundary)
            {
                return boundary;
            }
        }

        return null;
    }
}
