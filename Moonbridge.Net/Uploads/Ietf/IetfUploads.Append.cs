using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.Ietf;

internal sealed partial class IetfUploads
{
    /// <summary>
    /// <c>PATCH</c> on an upload resource (<c>application/partial-upload</c>): content appended at
    /// <c>Upload-Offset</c>, which must be where the upload ends (else 409 with the right offset); with
    /// <c>Upload-Complete: ?1</c> the upload is complete and the answer is the application's final response.
    /// </summary>
    public async ValueTask AppendAsync(HttpRequest request, string id, IetfFields fields, CancellationToken cancellationToken)
    {
        long? version = fields.InteropVersion;
        if (fields.Offset is not { } offset || fields.Complete is not { } complete)
        {
            throw new HttpStatusException(400, "An append needs Upload-Offset (an sf-integer) and Upload-Complete (an sf-boolean)");
        }

        if (IetfInterop.RequiresPartialUploadType(version) && !string.Equals(UploadContext.MediaType(request), IetfFields.PartialUploadType, StringComparison.OrdinalIgnoreCase))
        {
            throw new HttpStatusException(415, "An append's content type is application/partial-upload");
        }

        long? contentLength = UploadContext.ContentLength(request);
        string location = context.ResourcePath(id);
        bool exceeded = false;
        IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            UploadRecord record = hold.Record;
            if (record.IsComplete)
            {
                await AnswerAppendToCompletedAsync(request, hold, offset, complete, contentLength, version, location, cancellationToken).ConfigureAwait(false);
                return;
            }

            if (offset != record.Offset)
            {
                await SendProblemAsync(request, 409, UploadProblem.MismatchingOffset(record.Offset, offset), record, version).ConfigureAwait(false);
                return;
            }

            long? length = record.Length;
            long? indicated = complete && contentLength is { } rest ? offset + rest : null;
            if (!AgreeOnLength(ref length, fields.Length) || !AgreeOnLength(ref length, indicated) || (length is { } known && offset + contentLength > known))
            {
                await SendProblemAsync(request, 400, UploadProblem.InconsistentLength(), record, version).ConfigureAwait(false);
                return;
            }

            if (length > context.Limits.MaxSize)
            {
                await RefuseTooLargeAsync(request, record, version, "The upload is larger than this server accepts.").ConfigureAwait(false);
                return;
            }

            if (contentLength > context.Limits.MaxAppendSize)
            {
                await RefuseTooLargeAsync(request, record, version, "The request carries more content than one request may.").ConfigureAwait(false);
                return;
            }

            if (!complete && contentLength < context.Limits.MinAppendSize)
            {
                throw new HttpStatusException(400, "An append that does not complete the upload must carry at least min-append-size bytes");
            }

            if (length is { } learned && record.Length is null)
            {
                await hold.SetLengthAsync(learned, cancellationToken).ConfigureAwait(false);
            }

            Func<long, ValueTask>? progress = IetfInterop.Announces(version, request.Version)
                ? durable => SendResumptionSupportedAsync(request, version!.Value, null, null, durable)
                : null;
            exceeded = !await ReceiveUnderHoldAsync(request, hold, location, complete, length, version, progress, created: false, cancellationToken).ConfigureAwait(false);
        }

        if (exceeded)
        {
            await DeactivateAsync(request, id, version, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes over an upload just created and receives the creation request's content into it.</summary>
    private async ValueTask ReceiveAsync(
        HttpRequest request, string id, string location, bool complete, long? length, long? version, Func<long, ValueTask>? progress, bool created, CancellationToken cancellationToken)
    {
        bool exceeded;
        IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            exceeded = !await ReceiveUnderHoldAsync(request, hold, location, complete, length, version, progress, created, cancellationToken).ConfigureAwait(false);
        }

        if (exceeded)
        {
            await DeactivateAsync(request, id, version, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stores the request's content and answers: the final response once complete, else 201 (creation) or 204
    /// (append) with the durable offset. False when the content went beyond the upload's length (nothing answered yet).
    /// </summary>
    private async ValueTask<bool> ReceiveUnderHoldAsync(
        HttpRequest request, IUploadAppend hold, string location, bool complete, long? length, long? version, Func<long, ValueTask>? progress, bool created, CancellationToken cancellationToken)
    {
        using ContentDigest? digest = ContentDigest.FromRequest(request);
        try
        {
            // Content with a digest becomes durable only once it is verified: no checkpoints, nothing of it kept otherwise.
            await UploadBodyCopy.CopyAsync(
                request,
                hold,
                length,
                digest is null ? progress : null,
                context.Clock,
                digest is null ? context.Options.CheckpointInterval : Timeout.InfiniteTimeSpan,
                digest is null ? null : digest.Append,
                written: context.ProgressOf(request, hold)).ConfigureAwait(false);
        }
        catch (UploadLengthExceededException)
        {
            return false;
        }
        catch (Exception) when (digest is not null)
        {
            hold.Rewind();
            throw;
        }

        if (digest is not null && !digest.Matches())
        {
            hold.Rewind();
            UploadRecord kept = await hold.MakeDurableAsync(CancellationToken.None).ConfigureAwait(false);
            await SendProblemAsync(request, 400, UploadProblem.Untyped("Content-Digest does not match the content; none of it was kept"), kept, version).ConfigureAwait(false);
            return true;
        }

        if (complete && (length is null || hold.Offset == length))
        {
            // Not cancellable: the bytes are all there, and the state on disk must say so whether the client waits or not.
            await hold.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            context.ReportCompleted(request, hold);
            StoredResponse final = await context.Completion.FinishAsync(hold, cancellationToken).ConfigureAwait(false);
            await SendFinalAsync(request, final, location, hold.Record.Offset).ConfigureAwait(false);
            return true;
        }

        UploadRecord record = await hold.MakeDurableAsync(CancellationToken.None).ConfigureAwait(false);
        if (complete)
        {
            // Fewer bytes than the known length, yet "complete": the bytes are kept, the upload stays open.
            await SendProblemAsync(request, 400, UploadProblem.InconsistentLength(), record, version).ConfigureAwait(false);
            return true;
        }

        request.SendStatus(created ? 201 : 204);
        if (created)
        {
            request.SendHeader("Location", location);
        }

        SendState(request, record, version);
        return true;
    }

    /// <summary>
    /// An append to a completed upload. Version 9: a valid one (the right offset, <c>?1</c>, no content) gets the
    /// stored final response again, for a client that lost it. Earlier versions must refuse it.
    /// </summary>
    private async ValueTask AnswerAppendToCompletedAsync(
        HttpRequest request, IUploadAppend hold, long offset, bool complete, long? contentLength, long? version, string location, CancellationToken cancellationToken)
    {
        UploadRecord record = hold.Record;
        if (!IetfInterop.ReplaysCompletedUploads(version))
        {
            await SendProblemAsync(request, 400, UploadProblem.CompletedUpload(), null, version).ConfigureAwait(false);
        }
        else if (offset != record.Offset)
        {
            await SendProblemAsync(request, 409, UploadProblem.MismatchingOffset(record.Offset, offset), record, version).ConfigureAwait(false);
        }
        else if (!complete || contentLength is not 0)
        {
            await SendProblemAsync(request, 400, UploadProblem.InconsistentLength(), null, version).ConfigureAwait(false);
        }
        else
        {
            StoredResponse final = await context.Completion.FinishAsync(hold, cancellationToken).ConfigureAwait(false);
            await SendFinalAsync(request, final, location, hold.Record.Offset).ConfigureAwait(false);
        }
    }

    /// <summary>Content beyond the known length: the drafts say the upload must not go on, so it is removed.</summary>
    private async ValueTask DeactivateAsync(HttpRequest request, string id, long? version, CancellationToken cancellationToken)
    {
        UploadLog.LengthExceeded(context.Logger, id, (await context.Store.FindAsync(id, cancellationToken).ConfigureAwait(false))?.Length ?? -1);
        await context.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        request.CloseAfterFinish();
        await SendProblemAsync(request, 400, UploadProblem.InconsistentLength(), null, version).ConfigureAwait(false);
    }

    /// <summary>
    /// The application's final response with the upload fields: <c>Upload-Complete: ?1</c>, the final offset (drafts -03
    /// and -05 require it on every append response, and clients of later ones still read it) and the upload's location.
    /// </summary>
    private static ValueTask SendFinalAsync(HttpRequest request, StoredResponse final, string location, long length)
    {
        var uploadHeaders = new List<KeyValuePair<string, string>>(3)
        {
            new(IetfFields.CompleteName, "?1"),
            new(IetfFields.OffsetName, Integer(length)),
        };
        if (!final.Headers.Any(h => h.Key.Equals("Location", StringComparison.OrdinalIgnoreCase)))
        {
            uploadHeaders.Add(new("Location", location));
        }

        return UploadCompletion.SendAsync(request, final, uploadHeaders);
    }

    /// <summary>Merges a length indication into the known length; false when they disagree.</summary>
    private static bool AgreeOnLength(ref long? known, long? indicated)
    {
        if (indicated is not { } value)
        {
            return true;
        }

        if (known is { } current)
        {
            return current == value;
        }

        known = value;
        return true;
    }
}
