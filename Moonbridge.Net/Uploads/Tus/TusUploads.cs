using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.Tus;

/// <summary>
/// The tus 1.0 face with the extensions creation, creation-with-upload, creation-defer-length, expiration, checksum,
/// termination and concatenation (also of unfinished uploads), on the same store and URLs as the IETF face: an upload
/// created by one may be resumed by the other.
/// </summary>
internal sealed partial class TusUploads(UploadContext context)
{
    /// <summary>Refuses a request for another tus version (412 with the one spoken); true when it may go on.</summary>
    public static bool CheckVersion(HttpRequest request)
    {
        if (request.Headers.GetCsvString(TusFields.ResumableName)?.Trim() == TusFields.Version)
        {
            return true;
        }

        request.SendStatus(412);
        request.SendHeader(TusFields.ResumableName, TusFields.Version);
        request.SendHeader("Tus-Version", TusFields.Version);
        return false;
    }

    /// <summary>The discovery fields of an <c>OPTIONS</c> answer (sent whether or not the request speaks tus).</summary>
    public void SendDiscovery(HttpRequest request)
    {
        request.SendHeader(TusFields.ResumableName, TusFields.Version);
        request.SendHeader("Tus-Version", TusFields.Version);
        request.SendHeader("Tus-Extension", TusFields.Extensions);
        request.SendHeader("Tus-Checksum-Algorithm", TusChecksum.Algorithms);
        if (context.Limits.TusMaxSize is { } maxSize)
        {
            request.SendHeader("Tus-Max-Size", maxSize);
        }
    }

    /// <summary><c>HEAD</c> (or <c>GET</c>): the upload's state, after ending any older request on it.</summary>
    public async ValueTask RetrieveOffsetAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        UploadRecord record = await context.FindAsync(request, id, cancellationToken).ConfigureAwait(false);
        if (record.Parts is not null && !record.IsComplete)
        {
            record = await AssembleIfReadyAsync(request, record, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
            await using (hold.ConfigureAwait(false))
            {
                record = hold.Record;
            }
        }

        request.SendStatus(200);
        request.SendHeader(TusFields.ResumableName, TusFields.Version);
        request.SendHeader("Cache-Control", "no-store");
        if (record.Parts is null || record.IsComplete)
        {
            // A final upload has no offset until its parts are joined.
            request.SendHeader(TusFields.OffsetName, Integer(record.Offset));
        }

        if (record.Length is { } length)
        {
            request.SendHeader(TusFields.LengthName, Integer(length));
        }
        else if (record.Parts is null)
        {
            request.SendHeader(TusFields.DeferLengthName, "1");
        }

        if (record.Metadata.Count > 0)
        {
            request.SendHeader(TusFields.MetadataName, TusMetadata.Format(record.Metadata));
        }

        if (ConcatField(record) is { } concat)
        {
            request.SendHeader(TusFields.ConcatName, concat);
        }

        request.SendHeader(TusFields.ExpiresName, TusFields.HttpDate(record.ExpiresAt));
    }

    /// <summary><c>DELETE</c> (termination): ends any request on the upload and removes it.</summary>
    public async ValueTask DeleteAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        _ = await context.FindAsync(request, id, cancellationToken).ConfigureAwait(false);
        if (!await context.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            throw UploadContext.UnknownUpload();
        }

        request.SendStatus(204);
        request.SendHeader(TusFields.ResumableName, TusFields.Version);
    }

    private string? ConcatField(UploadRecord record)
    {
        if (record.IsPartial)
        {
            return "partial";
        }

        return record.Parts is { } parts ? "final;" + string.Join(' ', parts.Select(context.ResourcePath)) : null;
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
