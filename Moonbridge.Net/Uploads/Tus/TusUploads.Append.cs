using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.Tus;

internal sealed partial class TusUploads
{
    /// <summary>How storing a request's content ended.</summary>
    private enum ReceiveOutcome
    {
        /// <summary>Stored (durable, or completing the upload).</summary>
        Stored,

        /// <summary>The checksum did not match: the chunk was discarded.</summary>
        ChecksumMismatch,

        /// <summary>More bytes than the upload's length: what fit was kept, the rest refused.</summary>
        TooLong,
    }

    /// <summary>
    /// <c>PATCH</c> (<c>application/offset+octet-stream</c>) at <c>Upload-Offset</c>: 204 with the new offset; 409 at
    /// the wrong offset, 460 when <c>Upload-Checksum</c> does not match (nothing kept), 403 on a final upload.
    /// </summary>
    public async ValueTask AppendAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (!string.Equals(UploadContext.MediaType(request), TusFields.OffsetStreamType, StringComparison.OrdinalIgnoreCase))
        {
            throw new HttpStatusException(415, "A tus PATCH carries application/offset+octet-stream");
        }

        long offset = TusFields.Integer(request, TusFields.OffsetName) ?? throw new HttpStatusException(400, "A tus PATCH needs Upload-Offset");
        long? declared = TusFields.Integer(request, TusFields.LengthName);
        long? contentLength = UploadContext.ContentLength(request);
        using TusChecksum? checksum = TusChecksum.FromRequest(request);
        if ((await context.FindAsync(request, id, cancellationToken).ConfigureAwait(false)).Parts is not null)
        {
            throw new HttpStatusException(403, "A final upload is made of its parts; it cannot be patched");
        }

        IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            UploadRecord record = hold.Record;
            if (offset != record.Offset)
            {
                request.SendStatus(409);
                request.SendHeader(TusFields.ResumableName, TusFields.Version);
                request.SendHeader(TusFields.OffsetName, Integer(record.Offset));
                return;
            }

            if (declared is { } length)
            {
                if (record.Length is { } known ? known != length : length < offset)
                {
                    throw new HttpStatusException(400, "Upload-Length is set once, and never below the offset");
                }

                record = await hold.SetLengthAsync(length, CancellationToken.None).ConfigureAwait(false);
            }

            if (offset + contentLength > record.Length)
            {
                throw new HttpStatusException(413, "The content goes beyond Upload-Length");
            }

            CheckContent(request, contentLength, contentAllowed: true);
            ReceiveOutcome outcome = await ReceiveAsync(request, hold, checksum).ConfigureAwait(false);
            if (outcome != ReceiveOutcome.Stored)
            {
                await RefuseContentAsync(request, hold, outcome).ConfigureAwait(false);
                return;
            }

            record = await SettleAsync(request, hold, cancellationToken).ConfigureAwait(false);
            request.SendStatus(204);
            request.SendHeader(TusFields.ResumableName, TusFields.Version);
            request.SendHeader(TusFields.OffsetName, Integer(record.Offset));
            request.SendHeader(TusFields.ExpiresName, TusFields.HttpDate(record.ExpiresAt));
        }
    }

    private void CheckContent(HttpRequest request, long? contentLength, bool contentAllowed)
    {
        if (!contentAllowed)
        {
            throw new HttpStatusException(400, "A final upload carries no content");
        }

        if (!string.Equals(UploadContext.MediaType(request), TusFields.OffsetStreamType, StringComparison.OrdinalIgnoreCase))
        {
            throw new HttpStatusException(415, "Content of a tus upload is application/offset+octet-stream");
        }

        if (contentLength > context.Limits.MaxAppendSize)
        {
            throw new HttpStatusException(413, "The request carries more content than one request may");
        }
    }

    /// <summary>
    /// Stores the request's content. With a checksum nothing is made durable before the whole chunk is verified, and a
    /// chunk that fails or breaks off is discarded; without one, what arrived is kept as the IETF face keeps it.
    /// </summary>
    private async ValueTask<ReceiveOutcome> ReceiveAsync(HttpRequest request, IUploadAppend hold, TusChecksum? checksum)
    {
        try
        {
            await UploadBodyCopy.CopyAsync(
                request,
                hold,
                hold.Record.Length,
                null,
                context.Clock,
                checksum is null ? context.Options.CheckpointInterval : Timeout.InfiniteTimeSpan,
                checksum is null ? null : checksum.Append,
                written: context.ProgressOf(request, hold)).ConfigureAwait(false);
        }
        catch (UploadLengthExceededException)
        {
            if (checksum is not null)
            {
                hold.Rewind();
            }

            return ReceiveOutcome.TooLong;
        }
        catch (Exception) when (checksum is not null)
        {
            // A chunk cut short cannot be verified: none of it counts.
            hold.Rewind();
            throw;
        }

        bool matches;
        try
        {
            matches = checksum is null || checksum.Matches(request);
        }
        catch (HttpStatusException)
        {
            hold.Rewind();
            throw;
        }

        if (!matches)
        {
            hold.Rewind();
            return ReceiveOutcome.ChecksumMismatch;
        }

        return ReceiveOutcome.Stored;
    }

    private static async ValueTask RefuseContentAsync(HttpRequest request, IUploadAppend hold, ReceiveOutcome outcome)
    {
        // The rest of the content was not read: the connection cannot carry another request.
        request.CloseAfterFinish();
        request.SendStatus(outcome == ReceiveOutcome.ChecksumMismatch ? "460 Checksum Mismatch" : "413 Content Too Large");
        request.SendHeader(TusFields.ResumableName, TusFields.Version);
        request.SendHeader(TusFields.OffsetName, Integer(hold.Record.Offset));
        await request.FinishAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Makes what was stored durable; when the offset reached the length the upload is complete, and (unless it is a
    /// partial upload) handed to the application, whose answer is kept for <c>/result</c>.
    /// </summary>
    private async ValueTask<UploadRecord> SettleAsync(HttpRequest request, IUploadAppend hold, CancellationToken cancellationToken)
    {
        if (hold.Record.Length is not { } length || hold.Offset != length || hold.Record.IsComplete)
        {
            return await hold.MakeDurableAsync(CancellationToken.None).ConfigureAwait(false);
        }

        UploadRecord record = await hold.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        if (!record.IsPartial)
        {
            context.ReportCompleted(request, hold);
            _ = await context.Completion.FinishAsync(hold, cancellationToken).ConfigureAwait(false);
        }

        return hold.Record;
    }
}
