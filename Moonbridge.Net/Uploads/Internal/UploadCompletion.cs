using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Internal;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>
/// Hands a completed upload to the application once and keeps its answer: the handler runs under the upload's hold
/// (so no other request can complete it again meanwhile), and its result is stored before any client sees it. A
/// newer request that takes the upload over waits for this, since the result is saved even by a superseded hold.
/// </summary>
internal sealed class UploadCompletion(IUploadStore store, UploadCompletedHandler handler, ILogger logger)
{
    /// <summary>The upload's final response: the stored one, or the handler's, stored first.</summary>
    public async ValueTask<StoredResponse> FinishAsync(IUploadAppend hold, CancellationToken cancellationToken)
    {
        UploadRecord record = hold.Record;
        if (!record.IsComplete)
        {
            throw new InvalidOperationException($"Upload {record.Id} is not complete.");
        }

        if (record.FinalResponse is { } stored && StoredResponse.TryParse(stored, out StoredResponse? replay))
        {
            return replay;
        }

        UploadResult result;
        try
        {
            result = await handler(new CompletedUpload(store, record), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Nothing stored: the next request that asks for the result runs the handler again.
            throw;
        }
        catch (Exception e)
        {
            int status = e is HttpStatusException statusException ? statusException.StatusCode : 500;
            UploadLog.CompletionFailed(logger, record.Id, status, e);
            result = UploadResult.Text(
                e is HttpStatusException { Reason: { } reason } ? reason + "\n" : "The upload could not be processed.\n",
                status);
        }

        var response = new StoredResponse(
            result.StatusCode,
            StatusLine.ReasonPhrase(result.StatusCode),
            result.Headers,
            result.Content.ToArray());
        await hold.SaveFinalResponseAsync(response.ToMessage(), CancellationToken.None).ConfigureAwait(false);
        return response;
    }

    /// <summary>Sends a final response as stored, with the upload layer's own header fields first.</summary>
    public static async ValueTask SendAsync(HttpRequest request, StoredResponse response, IEnumerable<KeyValuePair<string, string>> uploadHeaders)
    {
        request.SendStatus($"{response.StatusCode} {response.ReasonPhrase}");
        foreach ((string name, string value) in uploadHeaders)
        {
            request.SendHeader(name, value);
        }

        foreach ((string name, string value) in response.Headers)
        {
            request.SendHeader(name, value);
        }

        if (response.Content.Length > 0)
        {
            await request.SendDataAsync(response.Content).ConfigureAwait(false);
        }
    }
}
