using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Moonbridge.Net.Http;
using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>
/// Status documents and the answers about an operation: GET/DELETE on <c>/operations/ID</c>, following an
/// operation with 102s until its result, and writing its state or stored result.
/// </summary>
public sealed partial class OperationManager
{
    /// <summary>Whether <paramref name="request"/> addresses a status document, and which.</summary>
    /// <param name="request">The request.</param>
    /// <param name="id">The id in the path (not checked for existence); null when false.</param>
    /// <returns>True when the path is <see cref="OperationOptions.PathPrefix"/> followed by a valid id.</returns>
    public bool TryGetStatusId(HttpRequest request, out string? id)
    {
        ArgumentNullException.ThrowIfNull(request);
        id = null;
        string prefix = Options.PathPrefix[1..];
        if (request.Path is { } path && path.StartsWith(prefix, StringComparison.Ordinal) && ProgressId.IsValid(path.AsSpan(prefix.Length)))
        {
            id = path[prefix.Length..];
            return true;
        }

        return false;
    }

    /// <summary>
    /// Answers a request for a status document, if it is one. <c>GET</c>/<c>HEAD</c>: while running,
    /// <c>200</c> with a JSON state (<c>id</c>, <c>state</c>, <c>completed</c>, <c>total</c>, <c>remark</c>) and a
    /// <c>Progress</c> header; once completed, <c>200</c> with the stored result's header fields and body and
    /// <c>Status-URI: {status} &lt;{original path}&gt;</c> carrying the result's status (the query of the original target is never repeated). With
    /// <c>Prefer: processing</c> a running operation is followed with <c>102</c>s until that final response.
    /// <c>DELETE</c>: removes the document (cancelling a running operation), <c>204</c>. Unknown or expired
    /// ids: <c>404</c>; other methods: <c>405</c>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Ends waiting.</param>
    /// <returns>False when the request is not for a status document (nothing was sent).</returns>
    public async ValueTask<bool> TryHandleStatusRequestAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        if (!TryGetStatusId(request, out string? id))
        {
            return false;
        }

        switch (request.Method)
        {
            case "GET" or "HEAD":
                OperationSnapshot snapshot = await Store.GetAsync(id!, cancellationToken).ConfigureAwait(false)
                    ?? throw new HttpStatusException(404, "Unknown operation");
                bool processing = request.Version != "HTTP/1.0" && Preferences.FromRequest(request).Contains("processing");
                if (processing)
                {
                    using CancellationTokenSource? linked = RequestCancellation.Link(request, cancellationToken, out CancellationToken waitToken);
                    snapshot = await FollowAsync(request, snapshot, (after, ct) => Store.WaitForChangeAsync(id!, after, ct), true, null, null, waitToken).ConfigureAwait(false)
                        ?? throw new HttpStatusException(404, "Unknown operation");
                }

                request.SendStatus(200);
                request.SendHeader("Cache-Control", "no-store");
                request.SendHeader(ProgressHeader.Name, snapshot.ProgressHeaderValue);
                if (snapshot.Result is { } result)
                {
                    request.SendHeader("Status-URI", $"{result.StatusCode.ToString(CultureInfo.InvariantCulture)} <{snapshot.Target}>");
                    SendResultHeaders(request, result);
                    if (!result.Body.IsEmpty)
                    {
                        await request.SendDataAsync(result.Body).ConfigureAwait(false);
                    }
                }
                else
                {
                    await SendStateAsync(request, snapshot).ConfigureAwait(false);
                }

                return true;
            case "DELETE":
                bool existed = await Store.RemoveAsync(id!, cancellationToken).ConfigureAwait(false);
                if (_running.TryRemove(id!, out RunningOperation? cancelled))
                {
                    await cancelled.CancelAsync().ConfigureAwait(false);
                }

                if (!existed)
                {
                    throw new HttpStatusException(404, "Unknown operation");
                }

                request.SendStatus(204);
                return true;
            default:
                request.SendStatus(405);
                request.SendHeader("Allow", "GET, HEAD, DELETE");
                request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
                await request.SendDataAsync("Method not allowed\n").ConfigureAwait(false);
                return true;
        }
    }

    /// <summary>
    /// Waits while the operation runs: sends 102s when asked (rate-limited), until it completes or the
    /// deadline passes. Returns the last snapshot (running when the deadline passed), or null when the
    /// operation became unknown.
    /// </summary>
    private async ValueTask<OperationSnapshot?> FollowAsync(
        HttpRequest request,
        OperationSnapshot first,
        Func<long, CancellationToken, ValueTask<OperationSnapshot?>> waitForChange,
        bool processing,
        string? location,
        long? deadline,
        CancellationToken cancellationToken)
    {
        OperationSnapshot? snapshot = first;
        long sentVersion = 0;
        long lastSent = 0;
        if (processing && snapshot.State == OperationState.Running)
        {
            await SendProcessingAsync(request, snapshot, location).ConfigureAwait(false);
            sentVersion = snapshot.Version;
            lastSent = _time.GetTimestamp();
        }

        while (snapshot is { State: OperationState.Running })
        {
            TimeSpan? timeout = null;
            if (deadline is { } end)
            {
                TimeSpan remaining = _time.GetElapsedTime(_time.GetTimestamp(), end);
                if (remaining <= TimeSpan.Zero)
                {
                    return snapshot;
                }

                timeout = remaining;
            }

            if (processing && snapshot.Version > sentVersion)
            {
                TimeSpan since = _time.GetElapsedTime(lastSent);
                if (since >= Options.InterimInterval)
                {
                    await SendProcessingAsync(request, snapshot, null).ConfigureAwait(false);
                    sentVersion = snapshot.Version;
                    lastSent = _time.GetTimestamp();
                    continue;
                }

                TimeSpan throttle = Options.InterimInterval - since;
                timeout = timeout is { } t && t < throttle ? t : throttle;
            }

            snapshot = await WaitAsync(waitForChange, snapshot, timeout, cancellationToken).ConfigureAwait(false);
        }

        return snapshot;
    }

    private async ValueTask<OperationSnapshot?> WaitAsync(
        Func<long, CancellationToken, ValueTask<OperationSnapshot?>> waitForChange, OperationSnapshot current, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (timeout is null)
        {
            return await waitForChange(current.Version, cancellationToken).ConfigureAwait(false);
        }

        using var timer = new CancellationTokenSource(timeout.Value, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            return await waitForChange(current.Version, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return current;
        }
    }

    private static async ValueTask SendProcessingAsync(HttpRequest request, OperationSnapshot snapshot, string? location)
    {
        request.SendStatus("102 Processing");
        if (location is not null)
        {
            request.SendHeader("Location", location);
        }

        request.SendHeader(ProgressHeader.Name, snapshot.ProgressHeaderValue);
        await request.FinishHeadersAsync().ConfigureAwait(false);
    }

    private static void SendResultHeaders(HttpRequest request, OperationResult result)
    {
        foreach (KeyValuePair<string, string> header in result.Headers)
        {
            request.SendHeader(header.Key, header.Value);
        }
    }

    private async ValueTask SendStateAsync(HttpRequest request, OperationSnapshot snapshot)
    {
        var json = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("id", snapshot.Id);
            writer.WriteString("state", snapshot.State == OperationState.Running ? "running" : "completed");
            writer.WriteNumber("completed", snapshot.Completed);
            if (snapshot.Total is { } total)
            {
                writer.WriteNumber("total", total);
            }
            else
            {
                writer.WriteNull("total");
            }

            writer.WriteString("remark", snapshot.Remark);
            writer.WriteString("location", Options.PathPrefix + snapshot.Id);
            writer.WriteEndObject();
        }

        request.SendHeader("Content-Type", "application/json");
        await request.SendDataAsync(json.WrittenMemory).ConfigureAwait(false);
    }

    private static TimeSpan? ParseWait(string? value) =>
        value is not null && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long seconds)
            ? TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2))
            : null;
}
