using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Ranges;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>What a completed upload offers: its stored final response (<c>/result</c>) and its bytes (<c>/content</c>).</summary>
internal static class UploadResults
{
    /// <summary>The bytes and their media type are the client's: never sniffed, and sandboxed should they be a page.</summary>
    private static readonly KeyValuePair<string, string>[] s_untrustedContentHeaders =
    [
        new("X-Content-Type-Options", "nosniff"),
        new("Content-Security-Policy", "sandbox"),
    ];

    /// <summary>
    /// The application's final response, replayed as it was sent; as one <c>message/http</c> document when the client
    /// asks for that type (the http-progress drafts' <c>Response-Message-Location</c>). 404 before completion.
    /// </summary>
    public static async ValueTask SendResultAsync(UploadContext context, HttpRequest request, string id, CancellationToken cancellationToken)
    {
        UploadRecord record = await context.FindAsync(request, id, cancellationToken).ConfigureAwait(false);
        if (!record.IsComplete)
        {
            throw new HttpStatusException(404, "The upload is not complete; it has no result yet");
        }

        StoredResponse? final = null;
        if (record.FinalResponse is not { } message || !StoredResponse.TryParse(message, out final))
        {
            // Completed, but the process ended before the application's answer was stored: it runs now.
            IUploadAppend hold = await context.TakeOverAsync(request, id, cancellationToken).ConfigureAwait(false);
            await using (hold.ConfigureAwait(false))
            {
                final = await context.Completion.FinishAsync(hold, cancellationToken).ConfigureAwait(false);
            }
        }

        if (request.Headers.GetCsvList("Accept").Any(type => type.StartsWith(StoredResponse.MediaType, StringComparison.OrdinalIgnoreCase)))
        {
            request.SendStatus(200);
            request.SendHeader("Content-Type", StoredResponse.MediaType);
            request.SendHeader("Cache-Control", "no-store");
            await request.SendDataAsync(final.ToMessage()).ConfigureAwait(false);
            return;
        }

        await UploadCompletion.SendAsync(request, final, [new("Cache-Control", "no-store")]).ConfigureAwait(false);
    }

    /// <summary>The bytes of a completed upload, with its media type and range support; 404 before completion.</summary>
    public static async ValueTask SendContentAsync(UploadContext context, HttpRequest request, string id, CancellationToken cancellationToken)
    {
        UploadRecord record = await context.FindAsync(request, id, cancellationToken).ConfigureAwait(false);
        if (!record.IsComplete)
        {
            throw new HttpStatusException(404, "The upload is not complete");
        }

        Stream content = await context.Store.OpenContentAsync(id, cancellationToken).ConfigureAwait(false) ?? throw UploadContext.UnknownUpload();
        await using (content.ConfigureAwait(false))
        {
            // A completed upload never changes, so its id is a strong validator for resuming a download (If-Range).
            var representation = new RepresentationMetadata(record.MediaType ?? "application/octet-stream", $"\"{id}\"");
            if (!content.CanSeek)
            {
                throw new InvalidOperationException("An upload store's content must be seekable to serve ranges.");
            }

            await RangeResponder.SendAsync(request, content, representation, s_untrustedContentHeaders, cancellationToken).ConfigureAwait(false);
        }
    }
}
