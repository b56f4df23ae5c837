using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.Ietf;

internal sealed partial class IetfUploads
{
    /// <summary>
    /// A request with content to the creation endpoint. With <c>Upload-Complete</c> it creates a resumable upload:
    /// a 104 names it (when the interop version matches), the content is stored as it arrives, and the answer is the
    /// application's final response (<c>?1</c>, all content there) or <c>201 Created</c> (<c>?0</c>). Without it the
    /// request is a plain upload, stored the same way and handed to the application, but announced to nobody.
    /// </summary>
    public async ValueTask CreateAsync(HttpRequest request, IetfFields fields, CancellationToken cancellationToken)
    {
        bool resumable = IsCreation(fields);
        bool complete = fields.Complete ?? true;
        long? contentLength = UploadContext.ContentLength(request);
        long? version = fields.InteropVersion;
        long? length = resumable ? fields.Length : null;
        if (complete && contentLength is { } whole)
        {
            if (length is { } declared && declared != whole)
            {
                await SendProblemAsync(request, 400, UploadProblem.InconsistentLength(), null, version).ConfigureAwait(false);
                return;
            }

            length = whole;
        }
        else if (length is { } declared && contentLength > declared)
        {
            await SendProblemAsync(request, 400, UploadProblem.InconsistentLength(), null, version).ConfigureAwait(false);
            return;
        }

        if (length > context.Limits.MaxSize)
        {
            await RefuseTooLargeAsync(request, null, version, "The upload is larger than this server accepts.").ConfigureAwait(false);
            return;
        }

        if (contentLength > context.Limits.MaxAppendSize)
        {
            await RefuseTooLargeAsync(request, null, version, "The request carries more content than one request may.").ConfigureAwait(false);
            return;
        }

        UploadRecord record = await context.CreateFromRequestAsync(request, UploadProtocol.Ietf, length, cancellationToken).ConfigureAwait(false);
        string location = context.ResourcePath(record.Id);
        bool announce = resumable && IetfInterop.Announces(version, request.Version);
        if (announce)
        {
            // Before any content is read: a client cut off from here on knows where to resume.
            await SendResumptionSupportedAsync(request, version!.Value, location, record, null).ConfigureAwait(false);
        }

        Func<long, ValueTask>? progress = announce
            ? offset => SendResumptionSupportedAsync(request, version!.Value, location, record, offset)
            : null;
        await ReceiveAsync(request, record.Id, location, complete, length, version, progress, created: true, cancellationToken).ConfigureAwait(false);
    }
}
