using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moonbridge.Net.Http;

namespace Moonbridge.Net.Progress.Operations;

/// <summary>
/// Long-running operations with interim progress and asynchronous answers (draft-wright-http-progress):
/// <see cref="RunAsync"/> runs an operation body in the background and answers its request with the
/// result, or with <c>202 Accepted</c> and a status document when the client sent
/// <c>Prefer: respond-async</c> and the wait ran out; with <c>Prefer: processing</c> the client gets a
/// <c>102 Processing</c> with a <c>Progress</c> header per report (never an HTTP/1.0 client).
/// <see cref="TryHandleStatusRequestAsync"/> serves <c>GET</c>, <c>HEAD</c> and <c>DELETE</c> of the status
/// documents. One manager (and its store) is shared by every connection of a server.
/// </summary>
/// <remarks>
/// The operation body runs on the thread pool and must not touch the <see cref="HttpRequest"/> (read the
/// request body before calling <see cref="RunAsync"/>); only the handler's own flow writes to the request.
/// The body keeps running when the request is answered with 202 or its connection ends; only a
/// <c>DELETE</c> of its status document cancels the token it is given. A body that throws completes with
/// a 500 (or the status of an <see cref="HttpStatusException"/>), and that result is delivered as any other.
/// </remarks>
public sealed partial class OperationManager
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>Creates a manager.</summary>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentException"><see cref="OperationOptions.PathPrefix"/> does not start and end with '/'.</exception>
    public OperationManager(OperationOptions? options = null)
    {
        Options = options ?? new OperationOptions();
        if (Options.PathPrefix is not { Length: >= 1 } prefix || prefix[0] != '/' || prefix[^1] != '/')
        {
            throw new ArgumentException("PathPrefix must start and end with '/'.", nameof(options));
        }

        _time = Options.TimeProvider ?? TimeProvider.System;
        Store = Options.Store ?? new InMemoryOperationStore(Options.Capacity, _time);
        _logger = Options.LoggerFactory?.CreateLogger("Moonbridge.Net.Progress.Operations") ?? NullLogger.Instance;
    }

    /// <summary>The manager's settings.</summary>
    public OperationOptions Options { get; }

    /// <summary>The status documents.</summary>
    public IOperationStore Store { get; }

    /// <summary>
    /// Runs <paramref name="operation"/> for <paramref name="request"/> and answers the request: with the
    /// operation's result when it ends in time (plus <c>Content-Location</c> of its status document), or
    /// with <c>202 Accepted</c> (<c>Location</c>, <c>Content-Location</c>, a JSON state) when the client sent
    /// <c>Prefer: respond-async</c> and it is still running after the <c>wait</c> preference (seconds; the
    /// <c>wait</c> preference or a <c>wait</c> parameter of <c>respond-async</c>; default
    /// <see cref="OperationOptions.DefaultWait"/>, at most <see cref="OperationOptions.MaximumWait"/>).
    /// With <c>Prefer: processing</c> a <c>102 Processing</c> goes out at once (with <c>Location</c>) and on
    /// progress, at most one per <see cref="OperationOptions.InterimInterval"/>; the latest state is never
    /// dropped (it follows when the interval is over, and the final response carries a <c>Progress</c> header).
    /// </summary>
    /// <param name="request">The request; it must not have a final status yet.</param>
    /// <param name="operation">The work; it gets the progress reporter and a token cancelled by a <c>DELETE</c>.</param>
    /// <param name="cancellationToken">Ends waiting for the operation (the operation itself continues).</param>
    /// <returns>The state the request was answered with: completed, or running for a 202.</returns>
    public async ValueTask<OperationSnapshot> RunAsync(
        HttpRequest request,
        Func<OperationProgress, CancellationToken, ValueTask<OperationResult>> operation,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(operation);
        if (request.StatusSent)
        {
            throw new InvalidOperationException("HTTP status has already been sent.");
        }

        Preferences preferences = Preferences.FromRequest(request);
        bool processing = preferences.Contains("processing") && request.Version != "HTTP/1.0";
        Preference? respondAsync = preferences.Find("respond-async");

        var entry = new OperationEntry(ProgressId.NewId(), request.Target);
        bool registered = await Store.TryAddAsync(entry, cancellationToken).ConfigureAwait(false);
        string? location = registered ? Options.PathPrefix + entry.Id : null;
        var cancel = new CancellationTokenSource();
        if (registered)
        {
            _running[entry.Id] = cancel;
        }
        else
        {
            Log.NotRegistered(_logger, request.Target);
        }

        var progress = new OperationProgress(entry, location);
        _ = Task.Run(() => ExecuteAsync(entry, progress, operation, cancel, registered), CancellationToken.None);

        long? deadline = null;
        if (respondAsync is not null && registered)
        {
            TimeSpan wait = ParseWait(preferences.Find("wait")?.Value ?? respondAsync.GetParameter("wait")) ?? Options.DefaultWait;
            wait = wait > Options.MaximumWait ? Options.MaximumWait : wait;
            deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        }

        OperationSnapshot answered = (await FollowAsync(request, entry.Snapshot(), async (after, ct) => await entry.WaitForChangeAsync(after, ct).ConfigureAwait(false), processing, location, deadline, cancellationToken).ConfigureAwait(false))!;
        if (answered.Result is { } result)
        {
            request.SendStatus(result.StatusCode);
            SendResultHeaders(request, result);
            if (location is not null)
            {
                request.SendHeader("Content-Location", location);
            }

            if (processing)
            {
                request.SendHeader(ProgressHeader.Name, answered.ProgressHeaderValue);
            }

            if (!result.Body.IsEmpty)
            {
                await request.SendDataAsync(result.Body).ConfigureAwait(false);
            }
        }
        else
        {
            request.SendStatus(202);
            request.SendHeader("Location", location!);
            request.SendHeader("Content-Location", location!);
            request.SendHeader("Preference-Applied", "respond-async");
            request.SendHeader(ProgressHeader.Name, answered.ProgressHeaderValue);
            await SendStateAsync(request, answered).ConfigureAwait(false);
        }

        return answered;
    }

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
    /// <c>Status-URI: {status} &lt;{original target}&gt;</c> carrying the result's status. With
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
                    snapshot = await FollowAsync(request, snapshot, (after, ct) => Store.WaitForChangeAsync(id!, after, ct), true, null, null, cancellationToken).ConfigureAwait(false)
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
                if (_running.TryRemove(id!, out CancellationTokenSource? cancel))
                {
                    try
                    {
                        await cancel.CancelAsync().ConfigureAwait(false);
                    }
                    catch (ObjectDisposedException)
                    {
                        // The operation ended meanwhile.
                    }
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

    private async Task ExecuteAsync(
        OperationEntry entry,
        OperationProgress progress,
        Func<OperationProgress, CancellationToken, ValueTask<OperationResult>> operation,
        CancellationTokenSource cancel,
        bool registered)
    {
        OperationResult result;
        try
        {
            result = await operation(progress, cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            result = OperationResult.Text("Operation cancelled\n", 503);
        }
        catch (HttpStatusException e)
        {
            result = OperationResult.Text((e.Reason ?? "Operation failed") + "\n", e.StatusCode);
        }
#pragma warning disable CA1031 // Any failure of the operation body becomes its result; nobody else could observe it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.OperationFailed(_logger, entry.Id, e);
            result = OperationResult.Text("Operation failed\n", 500);
        }

        // The store learns the expiry before waiters see the result, so a client that reads the final
        // response and then asks for the status document always finds it with its expiry set.
        if (registered)
        {
            try
            {
                await Store.ReleaseAsync(entry, _time.GetUtcNow() + Options.TimeToLive).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A store failure must not become an unobserved task exception.
            catch (Exception e)
#pragma warning restore CA1031
            {
                Log.OperationFailed(_logger, entry.Id, e);
            }
        }

        entry.Complete(result);
        if (!registered || _running.TryRemove(new KeyValuePair<string, CancellationTokenSource>(entry.Id, cancel)))
        {
            cancel.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(301, LogLevel.Error, "Operation {Id} failed")]
        public static partial void OperationFailed(ILogger logger, string id, Exception exception);

        [LoggerMessage(302, LogLevel.Warning, "Operation store full; {Target} runs without a status document")]
        public static partial void NotRegistered(ILogger logger, string target);
    }
}
