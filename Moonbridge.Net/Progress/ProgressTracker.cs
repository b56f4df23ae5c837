using System.Buffers;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.Http;
using Moonbridge.Net.IO.Internal;
using Moonbridge.Net.Progress.Internal;

namespace Moonbridge.Net.Progress;

/// <summary>
/// Upload and download progress by id (lighttpd2 <c>mod_progress</c>): <see cref="TrackAsync"/>
/// (<c>progress.track</c>) registers a request under its <c>X-Progress-Id</c>, and
/// <see cref="ShowAsync"/> (<c>progress.show</c>) answers other requests with its state, as JSON, JSONP
/// or the legacy format; <see cref="ShowEventsAsync"/> streams the same record as Server-Sent Events.
/// One tracker (and its store) is shared by every connection of a server.
/// </summary>
public sealed partial class ProgressTracker
{
    // The reconnection time sent with the end of a stream: a day, so a finished stream is not re-opened every 3 s.
    private static readonly ReadOnlyMemory<byte> s_endRetry = "retry: 86400000\n"u8.ToArray();

    private readonly ILogger _logger;

    /// <summary>Creates a tracker.</summary>
    /// <param name="options">Tracked methods, TTL, capacity, store; defaults as lighttpd2's (POST, 30 s).</param>
    public ProgressTracker(ProgressOptions? options = null)
    {
        Options = options ?? new ProgressOptions();
        Store = Options.Store ?? new InMemoryProgressStore(Options.Capacity, Options.TimeProvider);
        _logger = Options.LoggerFactory?.CreateLogger("Moonbridge.Net.Progress") ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>The tracker's options.</summary>
    public ProgressOptions Options { get; }

    /// <summary>The table of tracked requests.</summary>
    public IProgressStore Store { get; }

    /// <summary>
    /// Tracks <paramref name="request"/> (lighttpd2 <c>progress.track</c>) when its method is one of
    /// <see cref="ProgressOptions.Methods"/> and it names a valid id: the <c>X-Progress-Id</c> query
    /// parameter (any case) or header. With <see cref="ProgressOptions.MintIds"/>, a request without an id
    /// gets a new one. Body bytes count as they arrive from the socket, whether or not the handler has
    /// read them yet. Returns the live entry (its <see cref="ProgressEntry.Id"/> is what clients poll), or
    /// null when the request is not tracked. An id held by another request, running or finished and not
    /// expired yet, is refused (null): nobody who learns an id can overwrite its owner's progress or result.
    /// A full table still tracks the request, unregistered, so the upload never fails because of tracking.
    /// </summary>
    /// <param name="request">The request to track; call before reading its body.</param>
    /// <param name="cancellationToken">Ends registration (matters for a shared store).</param>
    public async ValueTask<ProgressEntry?> TrackAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Options.Tracks(request.Method))
        {
            return null;
        }

        string? id = FindId(request);
        if (id is null)
        {
            if (!Options.MintIds)
            {
                return null;
            }

            id = ProgressId.NewId();
        }

        var entry = new ProgressEntry(id);
        HeaderValue length = request.Headers.GetValue("Content-Length");
        entry.SetRequestSize(length.Value is { } text && long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long size) ? size : null);

        bool registered = await Store.TryAddAsync(entry, cancellationToken).ConfigureAwait(false);
        if (!registered)
        {
            ProgressSnapshot existing = await Store.GetAsync(id, cancellationToken).ConfigureAwait(false);
            if (existing.State != ProgressState.Unknown)
            {
                ProgressLog.IdRefused(_logger, id);
                return null;
            }

            ProgressLog.TableFull(_logger, id);
        }
        else if (Options.Debug)
        {
            ProgressLog.Registered(_logger, id, request.Method, request.Target);
        }

        request.Observe(new ExchangeProgress(entry, Store, Options, registered));
        if (UploadMetrics.Tracked.Enabled)
        {
            UploadMetrics.Tracked.Add(1);
        }

        if (Operations.Preferences.FromRequest(request).Contains("processing"))
        {
            // The same record as an interim view: 102 Processing with Progress: received/size while the body arrives.
            request.EnableInterimProgress(Options.InterimInterval);
        }

        return entry;
    }

    /// <summary>The blocking form of <see cref="TrackAsync"/>.</summary>
    /// <param name="request">The request to track.</param>
    public ProgressEntry? Track(HttpRequest request) => SyncWait.Wait(TrackAsync(request));

    /// <summary>
    /// Answers <paramref name="request"/> with the state of the request tracked under its
    /// <c>X-Progress-Id</c> (lighttpd2 <c>progress.show</c>). The format comes from
    /// <paramref name="format"/>, else the <c>format</c> query parameter (<c>json</c>, <c>jsonp</c>,
    /// <c>legacy</c>), else JSON; a JSONP callback from <c>X-Progress-Callback</c> must be a JavaScript
    /// identifier path (else 400). Responses are never cached and never sniffed.
    /// </summary>
    /// <param name="request">The polling request.</param>
    /// <param name="format">The format, or null to take it from the query.</param>
    /// <param name="cancellationToken">Ends the look-up.</param>
    public async ValueTask ShowAsync(HttpRequest request, ProgressFormat? format = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ProgressFormat chosen = format ?? FormatFromQuery(request);
        string? callback = null;
        if (chosen == ProgressFormat.Jsonp)
        {
            callback = request.GetParams[ProgressFormatter.CallbackQueryParameterName] ?? ProgressFormatter.DefaultCallback;
            if (!ProgressFormatter.IsValidCallback(callback))
            {
                throw new HttpStatusException(400, "Invalid X-Progress-Callback");
            }
        }

        string? id = FindId(request);
        ProgressSnapshot snapshot = id is null ? ProgressSnapshot.Unknown : await Store.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (Options.Debug)
        {
            ProgressLog.LookedUp(_logger, id ?? "(none)", snapshot.State);
        }

        var body = new ArrayBufferWriter<byte>(160);
        ProgressFormatter.Write(body, snapshot, chosen, callback);
        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", ProgressFormatter.ContentType(chosen));
        SendNoStoreHeaders(request);
        await request.SendDataAsync(body.WrittenMemory).ConfigureAwait(false);
    }

    /// <summary>The blocking form of <see cref="ShowAsync"/>.</summary>
    /// <param name="request">The polling request.</param>
    /// <param name="format">The format, or null to take it from the query.</param>
    public void Show(HttpRequest request, ProgressFormat? format = null) => SyncWait.Wait(ShowAsync(request, format));

    /// <summary>
    /// Streams the state of the request tracked under the <c>X-Progress-Id</c> as Server-Sent Events:
    /// a <c>progress</c> event per change (no polling), coalesced to at most one per
    /// <see cref="ProgressOptions.EventInterval"/> with the latest state always sent, then an <c>end</c>
    /// event once it is done or failed. The end carries a <c>retry:</c> of a day, so an <c>EventSource</c> the
    /// page does not close does not re-open a finished stream every few seconds; one that reconnects anyway
    /// (with <c>Last-Event-ID</c>) to a finished upload gets <c>204 No Content</c>, which stops it. An id
    /// nobody has registered yet is looked up again every <paramref name="retryInterval"/> (default 250 ms)
    /// for up to <paramref name="registrationTimeout"/> (default 30 s), so a page can open the stream before
    /// it starts the upload. The stream ends at once when the watching client goes away.
    /// </summary>
    /// <param name="request">The watching request.</param>
    /// <param name="retryInterval">Pause between look-ups of an id not registered yet.</param>
    /// <param name="registrationTimeout">How long to wait for the id to be registered.</param>
    /// <param name="cancellationToken">Ends the stream, as <see cref="HttpRequest.Aborted"/> does.</param>
    public async ValueTask ShowEventsAsync(HttpRequest request, TimeSpan? retryInterval = null, TimeSpan? registrationTimeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        using CancellationTokenSource? linked = RequestCancellation.Link(request, cancellationToken, out CancellationToken token);
        string? id = FindId(request);
        if (Options.Debug)
        {
            ProgressLog.EventsRequested(_logger, id ?? "(none)");
        }

        if (id is not null && request.Headers.GetValue("Last-Event-ID").Value is not null
            && (await Store.GetAsync(id, token).ConfigureAwait(false)).IsFinished)
        {
            // A reconnect to a stream that has ended: 204 is what makes an EventSource stop for good.
            request.SendStatus(204);
            SendNoStoreHeaders(request);
            return;
        }

        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", ProgressFormatter.ServerSentEventsContentType);
        SendNoStoreHeaders(request);
        await request.FinishHeadersAsync().ConfigureAwait(false);

        var events = new ArrayBufferWriter<byte>(256);
        TimeSpan retry = retryInterval ?? TimeSpan.FromMilliseconds(250);
        TimeProvider clock = Options.TimeProvider;
        DateTimeOffset giveUp = clock.GetUtcNow() + (registrationTimeout ?? TimeSpan.FromSeconds(30));
        long version = 0;
        long lastSent = 0;
        bool sentUnknown = false;
        while (id is not null)
        {
            ProgressSnapshot snapshot = await Store.WaitForChangeAsync(id, version, token).ConfigureAwait(false);
            if (snapshot.State != ProgressState.Unknown && lastSent != 0)
            {
                // Coalescing: a fast upload changes thousands of times a second; the watcher gets the state as of
                // the end of the interval, which is the latest (the final one included) when it was the last change.
                TimeSpan wait = Options.EventInterval - clock.GetElapsedTime(lastSent);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, clock, token).ConfigureAwait(false);
                    ProgressSnapshot latest = await Store.GetAsync(id, token).ConfigureAwait(false);
                    if (latest.State != ProgressState.Unknown && latest.Version >= snapshot.Version)
                    {
                        snapshot = latest;
                    }
                }
            }

            if (snapshot.State == ProgressState.Unknown)
            {
                if (!sentUnknown)
                {
                    await SendEventAsync(request, events, snapshot).ConfigureAwait(false);
                    sentUnknown = true;
                }

                if (clock.GetUtcNow() >= giveUp)
                {
                    break;
                }

                await Task.Delay(retry, clock, token).ConfigureAwait(false);
                continue;
            }

            version = snapshot.Version;
            await SendEventAsync(request, events, snapshot).ConfigureAwait(false);
            lastSent = clock.GetTimestamp();
            if (snapshot.IsFinished)
            {
                break;
            }
        }

        await request.SendDataAsync(s_endRetry).ConfigureAwait(false);
        await request.SendDataAsync(ProgressFormatter.ServerSentEventsEnd.ToArray()).ConfigureAwait(false);
        await request.FinishAsync().ConfigureAwait(false);
    }

    private static async ValueTask SendEventAsync(HttpRequest request, ArrayBufferWriter<byte> events, ProgressSnapshot snapshot)
    {
        events.ResetWrittenCount();
        ProgressFormatter.WriteServerSentEvent(events, snapshot);
        await request.SendDataAsync(events.WrittenMemory).ConfigureAwait(false);
        await request.FlushAsync().ConfigureAwait(false);
    }

    private static void SendNoStoreHeaders(HttpRequest request)
    {
        request.SendHeader("Cache-Control", "no-store");
        request.SendHeader("X-Content-Type-Options", "nosniff");
    }

    /// <summary>The id from the query (<c>X-Progress-Id</c>, any case) or, as nginx and Apache clients send it, the header.</summary>
    private static string? FindId(HttpRequest request)
    {
        if (ProgressId.TryGetFromQuery(request.Query, out string? id))
        {
            return id;
        }

        string? header = request.Headers.GetValue(ProgressId.QueryParameterName).Value;
        return header is not null && ProgressId.IsValid(header) ? header : null;
    }

    private static ProgressFormat FormatFromQuery(HttpRequest request) => request.GetParams["format"] switch
    {
        null or "json" => ProgressFormat.Json,
        "jsonp" => ProgressFormat.Jsonp,
        "legacy" => ProgressFormat.Legacy,
        _ => throw new HttpStatusException(400, "Unknown progress format (use json, jsonp or legacy)"),
    };
}
