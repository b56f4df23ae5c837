using System.Globalization;
using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.Internal;

namespace Moonbridge.Net.Uploads.ByteRange;

/// <summary>
/// The http-progress drafts' face: a resumable request (<c>Prefer: resume</c>, draft-wright-http-resume-request) whose
/// <c>100 Continue</c> names where its content is kept (<c>Request-Content-Location</c>, the upload resource) and where
/// its final response will be (<c>Response-Message-Location</c>, <c>/result</c>); a cut request is resumed by a HEAD of
/// that resource (its <c>Content-Length</c> is what was kept) and byte-range PATCHes (draft-wright-http-patch-byterange).
/// </summary>
internal sealed partial class ByteRangeUploads(UploadContext context)
{
    /// <summary>
    /// A request with content and <c>Prefer: resume</c> on the creation endpoint: a 100 with the two locations (and,
    /// with <c>Prefer: acknowledge</c>, one with <c>Acknowledge</c> at each durable checkpoint), then the application's
    /// final response once the content is all there. A request cut off keeps what arrived, unless
    /// <c>resume=ignore-incomplete</c> asked to discard it.
    /// </summary>
    public async ValueTask CreateAsync(HttpRequest request, ResumePreference preference, CancellationToken cancellationToken)
    {
        long? length = UploadContext.ContentLength(request) is { } announced && !request.Headers.Contains("Transfer-Encoding") ? announced : null;
        if (length > context.Limits.MaxSize || length > context.Limits.MaxAppendSize)
        {
            throw new HttpStatusException(413, "The content is larger than this server accepts");
        }

        UploadRecord record = await context.CreateFromRequestAsync(request, UploadProtocol.ByteRange, length, cancellationToken).ConfigureAwait(false);
        string location = context.ResourcePath(record.Id);
        await request.SendContinueAsync(
        [
            new("Request-Content-Location", location),
            new("Response-Message-Location", location + "/result"),
        ]).ConfigureAwait(false);

        Func<long, ValueTask>? acknowledge = preference.Acknowledge
            ? offset => request.SendContinueAsync([new("Acknowledge", Integer(offset))])
            : null;
        bool received = false;
        try
        {
            IUploadAppend hold = await context.TakeOverAsync(request, record.Id, cancellationToken).ConfigureAwait(false);
            await using (hold.ConfigureAwait(false))
            {
                await UploadBodyCopy.CopyAsync(request, hold, length, acknowledge, context.Clock, context.Options.CheckpointInterval, written: context.ProgressOf(request, hold)).ConfigureAwait(false);
                received = true;
                if (hold.Record.Length is null)
                {
                    await hold.SetLengthAsync(hold.Offset, CancellationToken.None).ConfigureAwait(false);
                }

                await hold.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
                context.ReportCompleted(request, hold);
                StoredResponse final = await context.Completion.FinishAsync(hold, cancellationToken).ConfigureAwait(false);
                await UploadCompletion.SendAsync(request, final, AppliedPreferences(preference)).ConfigureAwait(false);
            }
        }
        finally
        {
            if (!received && preference.IgnoreIncomplete)
            {
                // The client will start over rather than resume: keep nothing of the cut request.
                await context.Store.DeleteAsync(record.Id, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// <c>HEAD</c> on an upload made by a resumable request: 200 with <c>Content-Length</c> the bytes kept (what the
    /// drafts' client resumes from); <c>GET</c> is 405, the content being served by <c>/content</c> once complete.
    /// </summary>
    public async ValueTask RetrieveAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        if (request.Method != "HEAD")
        {
            _ = await context.FindAsync(request, id, cancellationToken).ConfigureAwait(false);
            request.SendStatus(405);
            request.SendHeader("Allow", "HEAD, PATCH, DELETE");
            return;
        }

        UploadRecord record;
        IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
        await using (hold.ConfigureAwait(false))
        {
            record = hold.Record;
        }

        request.SendStatus(200);
        request.SendHeader("Cache-Control", "no-store");
        request.SendHeader("Content-Length", Integer(record.Offset));
        request.SendHeader("Upload-Offset", Integer(record.Offset));
        if (record.Length is { } length)
        {
            request.SendHeader("Upload-Length", Integer(length));
        }

        request.SendHeader("Upload-Complete", record.IsComplete ? "?1" : "?0");
    }

    private static KeyValuePair<string, string>[] AppliedPreferences(ResumePreference preference)
        => preference.Persist ? [new("Preference-Applied", "transaction=persist")] : [];

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);
}
