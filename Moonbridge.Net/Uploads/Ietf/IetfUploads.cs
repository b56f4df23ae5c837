using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.Ietf;

/// <summary>
/// The IETF "Resumable Uploads for HTTP" face (interop versions 5, 6, 8 and 9, see <see cref="IetfInterop"/>):
/// creation on the creation endpoint, offset retrieval, append, cancellation and discovery on upload resources.
/// </summary>
internal sealed partial class IetfUploads(UploadContext context)
{
    private const string ResumptionSupportedStatus = "104 Upload Resumption Supported";

    /// <summary>Whether the request speaks this draft on the creation endpoint: a valid <c>Upload-Complete</c> says so.</summary>
    public static bool IsCreation(IetfFields fields) => fields.Complete is not null;

    /// <summary><c>HEAD</c> or <c>GET</c> on an upload resource: its durable state, after ending any older request on it.</summary>
    public async ValueTask RetrieveOffsetAsync(HttpRequest request, string id, IetfFields fields, CancellationToken cancellationToken)
    {
        RefuseFieldsOlderDraftsForbid(fields, lengthToo: fields.InteropVersion == 6);
        UploadRecord record;
        IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            // The older request's bytes are durable now: this offset is one the next append will be accepted at.
            record = hold.Record;
        }

        request.SendStatus(204);
        SendState(request, record, fields.InteropVersion);
        request.SendHeader("Cache-Control", "no-store");
    }

    /// <summary><c>DELETE</c> on an upload resource: ends any request on it, removes it and its data.</summary>
    public async ValueTask DeleteAsync(HttpRequest request, string id, IetfFields fields, CancellationToken cancellationToken)
    {
        RefuseFieldsOlderDraftsForbid(fields, lengthToo: false);
        _ = await context.FindAsync(request, id, cancellationToken).ConfigureAwait(false);
        if (!await context.Store.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            throw UploadContext.UnknownUpload();
        }

        request.SendStatus(204);
    }

    /// <summary><c>OPTIONS</c> on the creation endpoint: the limits (always, <c>min-size=0</c> at least).</summary>
    public void SendDiscovery(HttpRequest request, IetfFields fields)
    {
        if (IetfInterop.LimitField(fields.InteropVersion, context.Limits, context.Clock.GetUtcNow(), null) is { } limit)
        {
            request.SendHeader(IetfFields.LimitName, limit);
        }
    }

    /// <summary>
    /// Drafts -03 and -05 (versions 5 and 6) forbid <c>Upload-Offset</c> and <c>Upload-Complete</c> on HEAD and DELETE
    /// (-05 also <c>Upload-Length</c> on HEAD) and make the server refuse such requests; later drafts dropped the rule.
    /// </summary>
    private static void RefuseFieldsOlderDraftsForbid(IetfFields fields, bool lengthToo)
    {
        if (fields.InteropVersion is 5 or 6 && (fields.Offset is not null || fields.Complete is not null || (lengthToo && fields.Length is not null)))
        {
            throw new HttpStatusException(400, "This request must not carry Upload-Offset, Upload-Complete or Upload-Length");
        }
    }

    /// <summary>The upload's state as the retrieval and append responses carry it.</summary>
    private void SendState(HttpRequest request, UploadRecord record, long? version)
    {
        request.SendHeader(IetfFields.OffsetName, Integer(record.Offset));
        request.SendHeader(IetfFields.CompleteName, record.IsComplete ? "?1" : "?0");
        if (record.Length is { } length)
        {
            request.SendHeader(IetfFields.LengthName, Integer(length));
        }

        SendLimit(request, record, version);
    }

    private void SendLimit(HttpRequest request, UploadRecord? record, long? version)
    {
        if (IetfInterop.LimitField(version, context.Limits, context.Clock.GetUtcNow(), record?.ExpiresAt) is { } limit)
        {
            request.SendHeader(IetfFields.LimitName, limit);
        }
    }

    /// <summary>A 104: the upload's location on creation (and in its later 104s), the durable offset as progress.</summary>
    private async ValueTask SendResumptionSupportedAsync(HttpRequest request, long version, string? location, UploadRecord? limitsOf, long? offset)
    {
        request.SendStatus(ResumptionSupportedStatus);
        request.SendHeader(IetfFields.InteropVersionName, Integer(version));
        if (location is not null)
        {
            request.SendHeader("Location", location);
            SendLimit(request, limitsOf, version);
        }

        if (offset is { } durable)
        {
            request.SendHeader(IetfFields.OffsetName, Integer(durable));
        }

        await request.FinishHeadersAsync().ConfigureAwait(false);
    }

    /// <summary>A problem response (RFC 9457) with the upload fields a client needs to go on.</summary>
    private async ValueTask SendProblemAsync(HttpRequest request, int status, byte[] problem, UploadRecord? record, long? version)
    {
        request.SendStatus(status);
        request.SendHeader("Content-Type", UploadProblem.MediaType);
        if (record is not null)
        {
            request.SendHeader(IetfFields.OffsetName, Integer(record.Offset));
            request.SendHeader(IetfFields.CompleteName, "?0");
        }

        if (status == 413)
        {
            SendLimit(request, record, version);
        }

        await request.SendDataAsync(problem).ConfigureAwait(false);
    }

    private ValueTask RefuseTooLargeAsync(HttpRequest request, UploadRecord? record, long? version, string what)
        => SendProblemAsync(request, 413, UploadProblem.TooLarge(what), record, version);

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
