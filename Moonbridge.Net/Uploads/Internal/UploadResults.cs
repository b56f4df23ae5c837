using System.Buffers;
using System.Globalization;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>What a completed upload offers: its stored final response (<c>/result</c>) and its bytes (<c>/content</c>).</summary>
internal static class UploadResults
{
    private const int PieceSize = 64 * 1024;

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

    /// <summary>The bytes of a completed upload, with its media type; 404 before completion.</summary>
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
            request.SendStatus(200);
            request.SendHeader("Content-Type", record.MediaType ?? "application/octet-stream");
            request.SendHeader("Content-Length", record.Offset.ToString(CultureInfo.InvariantCulture));
            request.SendHeader("X-Content-Type-Options", "nosniff");
            if (request.Method == "HEAD")
            {
                return;
            }

            byte[] piece = ArrayPool<byte>.Shared.Rent(PieceSize);
            try
            {
                int read;
                while ((read = await content.ReadAsync(piece, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await request.SendDataAsync(piece.AsMemory(0, read)).ConfigureAwait(false);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(piece);
            }
        }
    }
}
