using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moonbridge.Net.Http;
using Moonbridge.Net.Progress.Internal;

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
/// <para>
/// The operation body runs on the thread pool and must not touch the <see cref="HttpRequest"/> (read the
/// request body before calling <see cref="RunAsync"/>); only the handler's own flow writes to the request.
/// A body that throws completes with a 500 (or the status of an <see cref="HttpStatusException"/>), and
/// that result is delivered as any other.
/// </para>
/// <para>
/// Every running operation has a status document and can be cancelled: by a <c>DELETE</c> of it, by
/// <see cref="Cancel"/>, and by its time limit (<see cref="OperationOptions.MaximumDuration"/>). The body
/// keeps running when the request is answered with 202 or after the client was told where its status
/// document is (the first <c>102</c>); a client that goes away before it learned that
/// (<see cref="HttpRequest.Aborted"/>) abandons the operation, which is then cancelled and forgotten, since
/// nobody could ever ask for its result. When the store has no room, the request is refused with
/// <c>503</c> and <c>Retry-After</c>, and the operation does not start.
/// </para>
/// </remarks>
public sealed partial class OperationManager
{
    private readonly ConcurrentDictionary<string, RunningOperation> _running = new(StringComparer.Ordinal);
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

        if (Options.MaximumDuration <= TimeSpan.Zero && Options.MaximumDuration != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException("MaximumDuration must be positive or infinite.", nameof(options));
        }

        _time = Options.TimeProvider ?? TimeProvider.System;
        Store = Options.Store ?? new InMemoryOperationStore(Options.Capacity, _time);
        _logger = Options.LoggerFactory?.CreateLogger("Moonbridge.Net.Progress.Operations") ?? NullLogger.Instance;
    }

    /// <summary>The manager's settings.</summary>
    public OperationOptions Options { get; }

    /// <summary>The status documents.</summary>
    public IOperationStore Store { get; }

    /// <summary>How many operations of this manager are running now.</summary>
    public int RunningCount => _running.Count;

    /// <summary>
    /// Cancels the running operation <paramref name="id"/>: its body's token is cancelled, and unless it
    /// returns a result of its own it completes with <c>503</c>. Its status document stays (a <c>DELETE</c>
    /// removes both).
    /// </summary>
    /// <param name="id">The operation id.</param>
    /// <returns>True when an operation of this manager was running under that id.</returns>
    public bool Cancel(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (!_running.TryGetValue(id, out RunningOperation? running))
        {
            return false;
        }

        _ = running.CancelAsync().AsTask();
        return true;
    }

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
    /// When the store is full the request gets <c>503</c> with <c>Retry-After</c> and the operation never starts.
    /// </summary>
    /// <param name="request">The request; it must not have a final status yet.</param>
    /// <param name="operation">
    /// The work; it gets the progress reporter and a token cancelled by a <c>DELETE</c>, <see cref="Cancel"/>,
    /// the time limit, or the client leaving before it learned the status document.
    /// </param>
    /// <param name="cancellationToken">
    /// Ends waiting for the operation, as <see cref="HttpRequest.Aborted"/> (always observed) does; if the client
    /// had not been told the status document yet, the operation is abandoned and cancelled too.
    /// </param>
    /// <returns>The state the request was answered with: completed (the 503 when refused), or running for a 202.</returns>
    /// <exception cref="OperationCanceledException">The wait ended: the client left or <paramref name="cancellationToken"/> fired.</exception>
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

        // The status document names the path only: a query may carry credentials, and anyone holding the id could read it.
        string target = PathOf(request.Target);
        var entry = new OperationEntry(ProgressId.NewId(), target);
        if (!await Store.TryAddAsync(entry, cancellationToken).ConfigureAwait(false))
        {
            Log.StoreFull(_logger, target);
            return await RefuseAsync(request, entry).ConfigureAwait(false);
        }

        string location = Options.PathPrefix + entry.Id;
        var running = new RunningOperation(Options.MaximumDuration, _time);
        _running[entry.Id] = running;

        // A DELETE through another instance of a shared store cancels the operation as one here does.
        entry.Removed.UnsafeRegister(static state =>
        {
            (OperationManager manager, string id) = ((OperationManager, string))state!;
            if (manager._running.TryRemove(id, out RunningOperation? removed))
            {
                _ = removed.CancelAsync().AsTask();
            }
        }, (this, entry.Id));
        var progress = new OperationProgress(entry, location);
        _ = Task.Run(() => ExecuteAsync(entry, progress, operation, running), CancellationToken.None);

        long? deadline = null;
        if (respondAsync is not null)
        {
            TimeSpan wait = ParseWait(preferences.Find("wait")?.Value ?? respondAsync.GetParameter("wait")) ?? Options.DefaultWait;
            wait = wait > Options.MaximumWait ? Options.MaximumWait : wait;
            deadline = _time.GetTimestamp() + (long)(wait.TotalSeconds * _time.TimestampFrequency);
        }

        OperationSnapshot answered;
        using (CancellationTokenSource? linked = RequestCancellation.Link(request, cancellationToken, out CancellationToken waitToken))
        {
            try
            {
                answered = (await FollowAsync(request, entry.Snapshot(), async (after, ct) => await entry.WaitForChangeAsync(after, ct).ConfigureAwait(false), processing, location, deadline, waitToken).ConfigureAwait(false))!;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException && !processing)
            {
                // The client never learned the status document (no 102 went out): nobody can ever ask for the
                // result, so the operation is cancelled and its document dropped instead of running on for nothing.
                await AbandonAsync(entry, running).ConfigureAwait(false);
                throw;
            }
        }

        if (answered.Result is { } result)
        {
            request.SendStatus(result.StatusCode);
            SendResultHeaders(request, result);
            request.SendHeader("Content-Location", location);

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
            request.SendHeader("Location", location);
            request.SendHeader("Content-Location", location);
            request.SendHeader("Preference-Applied", "respond-async");
            request.SendHeader(ProgressHeader.Name, answered.ProgressHeaderValue);
            await SendStateAsync(request, answered).ConfigureAwait(false);
        }

        return answered;
    }

    private async ValueTask AbandonAsync(OperationEntry entry, RunningOperation running)
    {
        try
        {
            await Store.RemoveAsync(entry.Id).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The request is ending anyway; a store failure must not replace its exception.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.OperationFailed(_logger, entry.Id, e);
        }

        if (_running.TryRemove(new KeyValuePair<string, RunningOperation>(entry.Id, running)))
        {
            await running.CancelAsync().ConfigureAwait(false);
            Log.Abandoned(_logger, entry.Id);
        }
    }

    private async ValueTask<OperationSnapshot> RefuseAsync(HttpRequest request, OperationEntry entry)
    {
        const string reason = "Too many operations; try again later\n";
        entry.Complete(OperationResult.Text(reason, 503));
        request.SendStatus(503);
        request.SendHeader("Retry-After", Math.Max(1, (long)Math.Ceiling(Options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
        request.SendHeader("Cache-Control", "no-store");
        request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
        await request.SendDataAsync(reason).ConfigureAwait(false);
        return entry.Snapshot();
    }

    /// <summary>The target without its query (and fragment, should a client send one).</summary>
    private static string PathOf(string target)
    {
        int end = target.AsSpan().IndexOfAny('?', '#');
        return end < 0 ? target : target[..end];
    }

    private async Task ExecuteAsync(
        OperationEntry entry,
        OperationProgress progress,
        Func<OperationProgress, CancellationToken, ValueTask<OperationResult>> operation,
        RunningOperation running)
    {
        OperationResult result;
        try
        {
            result = await operation(progress, running.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (running.IsCancellationRequested)
        {
            if (running.CancelledOnRequest)
            {
                result = OperationResult.Text("Operation cancelled\n", 503);
            }
            else
            {
                Log.TimedOut(_logger, entry.Id);
                result = OperationResult.Text("Operation exceeded its time limit\n", 500);
            }
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

        // No longer running before anyone hears the result: a client that reads it and then counts or lists
        // running operations must not find this one.
        _running.TryRemove(new KeyValuePair<string, RunningOperation>(entry.Id, running));
        entry.Complete(result);

        // Disposed at once, or its time limit timer would keep it for the whole MaximumDuration; a DELETE or
        // Cancel racing with the end finds it disposed and has nothing left to do.
        running.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(301, LogLevel.Error, "Operation {Id} failed")]
        public static partial void OperationFailed(ILogger logger, string id, Exception exception);

        [LoggerMessage(302, LogLevel.Warning, "Operation store full; {Target} refused with 503")]
        public static partial void StoreFull(ILogger logger, string target);

        [LoggerMessage(303, LogLevel.Debug, "Operation {Id} abandoned: its client left before learning its status document")]
        public static partial void Abandoned(ILogger logger, string id);

        [LoggerMessage(304, LogLevel.Warning, "Operation {Id} exceeded its time limit and was cancelled")]
        public static partial void TimedOut(ILogger logger, string id);
    }
}
