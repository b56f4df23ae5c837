using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.Tus;

internal sealed partial class TusUploads
{
    /// <summary>
    /// <c>POST</c> on the creation endpoint: a new upload of <c>Upload-Length</c> bytes (or a deferred length), with
    /// <c>Upload-Metadata</c>, optionally carrying its first bytes (creation-with-upload), or a partial or final upload
    /// of the concatenation extension. 201 with the upload's <c>Location</c>.
    /// </summary>
    public async ValueTask CreateAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        string? concat = request.Headers.GetCsvString(TusFields.ConcatName)?.Trim();
        bool partial = concat == "partial";
        IReadOnlyList<string>? parts = concat is not null && !partial
            ? await ReadFinalPartsAsync(request, concat, cancellationToken).ConfigureAwait(false)
            : null;
        long? length = null;
        if (parts is null && !TusFields.TryGetDeclaredLength(request, out length))
        {
            throw new HttpStatusException(400, "A tus upload needs Upload-Length, or Upload-Defer-Length: 1");
        }

        if (parts is not null && request.Headers.Contains(TusFields.LengthName))
        {
            throw new HttpStatusException(400, "A final upload takes its length from its parts");
        }

        if (!TusMetadata.TryParse(request.Headers.GetCsvString(TusFields.MetadataName), out IReadOnlyDictionary<string, byte[]?> metadata, out string? error))
        {
            throw new HttpStatusException(400, error);
        }

        if (length > context.Limits.MaxSize)
        {
            throw new HttpStatusException(413, "The upload is larger than Tus-Max-Size");
        }

        long? contentLength = UploadContext.ContentLength(request);
        bool withContent = UploadContext.HasContent(request);
        if (withContent)
        {
            CheckContent(request, contentLength, parts is null);
        }

        await context.EnsureRoomForNewUploadAsync(request, cancellationToken).ConfigureAwait(false);
        UploadRecord record = await context.CreateAsync(
            new UploadCreation
            {
                Protocol = UploadProtocol.Tus,
                Owner = context.OwnerOf(request),
                Client = context.ClientOf(request),
                Length = length,
                MediaType = TusDescription.MediaType(metadata),
                Disposition = TusDescription.Disposition(metadata),
                Metadata = metadata,
                IsPartial = partial,
                Parts = parts,
                ExpiresAt = context.NewExpiry(),
            },
            cancellationToken).ConfigureAwait(false);
        if (parts is not null)
        {
            record = await AssembleIfReadyAsync(request, record, cancellationToken).ConfigureAwait(false);
        }
        else if (withContent || length == 0)
        {
            IUploadAppend hold = await context.TakeOverAsync(request, record.Id, cancellationToken).ConfigureAwait(false);
            await using (hold.ConfigureAwait(false))
            {
                using TusChecksum? checksum = withContent ? TusChecksum.FromRequest(request) : null;
                ReceiveOutcome outcome = withContent ? await ReceiveAsync(request, hold, checksum).ConfigureAwait(false) : ReceiveOutcome.Stored;
                if (outcome != ReceiveOutcome.Stored)
                {
                    await RefuseContentAsync(request, hold, outcome).ConfigureAwait(false);
                    return;
                }

                record = await SettleAsync(request, hold, cancellationToken).ConfigureAwait(false);
            }
        }

        request.SendStatus(201);
        request.SendHeader(TusFields.ResumableName, TusFields.Version);
        request.SendHeader("Location", context.ResourcePath(record.Id));
        request.SendHeader(TusFields.ExpiresName, TusFields.HttpDate(record.ExpiresAt));
        if (withContent)
        {
            request.SendHeader(TusFields.OffsetName, Integer(record.Offset));
        }
    }

    /// <summary>The partial uploads of <c>Upload-Concat: final;{url} {url}…</c>: each must be a partial upload the request may use.</summary>
    private async ValueTask<IReadOnlyList<string>> ReadFinalPartsAsync(HttpRequest request, string concat, CancellationToken cancellationToken)
    {
        if (!concat.StartsWith("final;", StringComparison.Ordinal))
        {
            throw new HttpStatusException(400, "Upload-Concat is 'partial' or 'final;' and the partial uploads' URLs");
        }

        var ids = new List<string>();
        foreach (string url in concat["final;".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string path = Uri.TryCreate(url, UriKind.Absolute, out Uri? absolute) ? absolute.AbsolutePath : url;
            string prefix = context.Options.Path + "/";
            string id = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : "";
            UploadRecord? part = UploadId.IsValid(id) ? await context.Store.FindAsync(id, cancellationToken).ConfigureAwait(false) : null;
            if (part is null || !context.MayUse(request, part) || !part.IsPartial)
            {
                throw new HttpStatusException(400, "Every URL of a final upload must name a partial upload of this server");
            }

            ids.Add(id);
        }

        return ids.Count > 0 ? ids : throw new HttpStatusException(400, "A final upload names at least one partial upload");
    }

    /// <summary>
    /// Joins a final upload's parts once all are complete (at its creation, or on a later request when it was created
    /// before they finished), completes it and hands it to the application; returns its record either way.
    /// </summary>
    private async ValueTask<UploadRecord> AssembleIfReadyAsync(HttpRequest request, UploadRecord final, CancellationToken cancellationToken)
    {
        var parts = new List<UploadRecord>();
        foreach (string id in final.Parts!)
        {
            if (await context.Store.FindAsync(id, cancellationToken).ConfigureAwait(false) is not { IsComplete: true } part)
            {
                return final;
            }

            parts.Add(part);
        }

        IUploadAppend hold = await context.TakeOverAsync(request, final.Id, cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            if (hold.Record.IsComplete)
            {
                return hold.Record;
            }

            long total = parts.Sum(part => part.Offset);
            if (total > context.Limits.MaxSize)
            {
                throw new HttpStatusException(413, "The parts together are larger than Tus-Max-Size");
            }

            await hold.SetLengthAsync(total, CancellationToken.None).ConfigureAwait(false);
            foreach (UploadRecord part in parts)
            {
                Stream content = await context.Store.OpenContentAsync(part.Id, cancellationToken).ConfigureAwait(false)
                    ?? throw new HttpStatusException(409, "A partial upload disappeared while the final upload was joined");
                await using (content.ConfigureAwait(false))
                {
                    await UploadBodyCopy.CopyStreamAsync(content, hold).ConfigureAwait(false);
                }
            }

            return await SettleAsync(request, hold, cancellationToken).ConfigureAwait(false);
        }
    }
}
