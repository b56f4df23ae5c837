using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moonbridge.Net.Http;
using Moonbridge.Net.Uploads.ByteRange;
using Moonbridge.Net.Uploads.Ietf;
using Moonbridge.Net.Uploads.Internal;
using Moonbridge.Net.Uploads.Storage;
using Moonbridge.Net.Uploads.Tus;

namespace Moonbridge.Net.Uploads;

/// <summary>
/// Resumable uploads on one store: the IETF draft (interop versions 5, 6, 8 and 9), tus 1.0 (with its extensions) and the
/// http-progress drafts' resumable requests with byte-range patches, on
/// <see cref="ResumableUploadOptions.Path"/> and its upload resources, an upload made with one protocol resumable with the other; every completed upload handed to the application once (<see cref="UploadCompletedHandler"/>)
/// and its answer kept for replay. Call <see cref="TryHandleAsync"/> from an HTTP handler; one instance serves every
/// connection of a server. Dispose it to stop the expiry sweeper.
/// </summary>
/// <remarks>
/// Offsets reported to clients are durable: the data is <c>fsync</c>ed before the metadata records a larger offset, at
/// each <see cref="ResumableUploadOptions.CheckpointInterval"/> and at the end of each request. A new request on an
/// upload ends the older one still holding it (its bytes kept) instead of waiting for it or answering 423.
/// </remarks>
public sealed class ResumableUploads : IAsyncDisposable
{
    private readonly UploadContext _context;
    private readonly IetfUploads _ietf;
    private readonly TusUploads _tus;
    private readonly ByteRangeUploads _byteRange;
    private readonly UploadRoutes _routes;
    private readonly ITimer? _sweeper;
    private readonly CancellationTokenSource _stopping = new();
    private int _sweeping;

    /// <summary>Creates the uploads service and its store directory.</summary>
    /// <param name="options">Settings; <see cref="ResumableUploadOptions.Directory"/> is required.</param>
    /// <param name="completed">The application's handler for completed uploads.</param>
    /// <exception cref="ArgumentException">A path or duration is invalid.</exception>
    public ResumableUploads(ResumableUploadOptions options, UploadCompletedHandler completed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(completed);
        if (options.Path is not { Length: >= 2 } path || path[0] != '/' || path[^1] == '/')
        {
            throw new ArgumentException("Path must start with '/' and not end with one, e.g. \"/files\".", nameof(options));
        }

        if (options.Lifetime <= TimeSpan.Zero || options.CheckpointInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("Lifetime must be positive and CheckpointInterval not negative.", nameof(options));
        }

        TimeProvider clock = options.TimeProvider ?? TimeProvider.System;
        ILogger logger = options.LoggerFactory?.CreateLogger("Moonbridge.Net.Uploads") ?? NullLogger.Instance;
        var store = new FileUploadStore(options.Directory, clock, options.Claims, options.Records);
        _context = new UploadContext(store, options, new UploadCompletion(store, completed, logger), clock, logger, _stopping.Token);
        _ietf = new IetfUploads(_context);
        _tus = new TusUploads(_context);
        _byteRange = new ByteRangeUploads(_context);
        _routes = new UploadRoutes(path[1..]);
        if (options.SweepInterval > TimeSpan.Zero)
        {
            _sweeper = clock.CreateTimer(static state => ((ResumableUploads)state!).Sweep(), this, options.SweepInterval, options.SweepInterval);
        }
    }

    /// <summary>
    /// Answers the request if it is one for uploads: the creation endpoint (<c>POST</c> and other methods with
    /// content, <c>OPTIONS</c>) and the upload resources (<c>HEAD</c>, <c>GET</c>, <c>PATCH</c>, <c>DELETE</c>), with
    /// <c>/result</c> and <c>/content</c> below them. Returns false, having touched nothing, for any other path.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">The handler's token; requests that carry content run on until their content ends (a client's half-close does not stop them storing what it sent), and stop with this service.</param>
    /// <returns>Whether the request was answered.</returns>
    public async ValueTask<bool> TryHandleAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_routes.TryMatch(request.Path, out UploadRoute route, out string? id))
        {
            return false;
        }

        if (TusFields.IsTus(request) && request.Method != "OPTIONS")
        {
            try
            {
                await HandleTusAsync(request, route, id, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpStatusException e) when (!request.StatusSent)
            {
                // tus wants Tus-Resumable on every response, refusals included, which the server's own error page lacks.
                request.SendStatus(e.StatusCode);
                request.SendHeader(TusFields.ResumableName, TusFields.Version);
                request.SendHeader("Content-Type", "text/plain; charset=UTF-8");
                await request.SendDataAsync((e.Reason ?? e.Message) + "\n").ConfigureAwait(false);
            }

            return true;
        }

        IetfFields fields = IetfFields.Read(request.Headers);
        switch (route, request.Method)
        {
            case (UploadRoute.Creation, "OPTIONS"):
                // One discovery for every protocol: the draft's limits and tus's versions and extensions.
                request.SendStatus(204);
                request.SendHeader("Allow", "OPTIONS, POST");
                _ietf.SendDiscovery(request, fields);
                _tus.SendDiscovery(request);
                break;
            case (UploadRoute.Creation, "POST" or "PUT") when !IetfUploads.IsCreation(fields) && ResumePreference.FromRequest(request) is { Resume: true } preference:
                await _byteRange.CreateAsync(request, preference, _context.Stopping).ConfigureAwait(false);
                break;
            case (UploadRoute.Creation, "POST" or "PUT" or "PATCH"):
                await _ietf.CreateAsync(request, fields, _context.Stopping).ConfigureAwait(false);
                break;
            case (UploadRoute.Creation, _):
                MethodNotAllowed(request, "OPTIONS, POST");
                break;
            case (UploadRoute.Resource, "HEAD" or "GET") when fields.InteropVersion is null && await MadeByResumableRequestAsync(request, id!, cancellationToken).ConfigureAwait(false):
                await _byteRange.RetrieveAsync(request, id!, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, "HEAD" or "GET"):
                await _ietf.RetrieveOffsetAsync(request, id!, fields, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, "PATCH") when ByteRangeUploads.IsPatch(UploadContext.MediaType(request)):
                await _byteRange.PatchAsync(request, id!, _context.Stopping).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, "PATCH"):
                await _ietf.AppendAsync(request, id!, fields, _context.Stopping).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, "DELETE"):
                await _ietf.DeleteAsync(request, id!, fields, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, _):
                MethodNotAllowed(request, "HEAD, GET, PATCH, DELETE");
                break;
            default:
                await HandleResultAsync(request, route, id!, cancellationToken).ConfigureAwait(false);
                break;
        }

        return true;
    }

    /// <summary>Removes every expired upload now (the sweeper does this every <see cref="ResumableUploadOptions.SweepInterval"/>).</summary>
    /// <param name="cancellationToken">Stops the sweep.</param>
    /// <returns>How many uploads were removed.</returns>
    public async ValueTask<int> RemoveExpiredAsync(CancellationToken cancellationToken = default)
    {
        int removed = await _context.Store.SweepExpiredAsync(_context.Clock.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        UploadTelemetry.Expired(removed);
        return removed;
    }

    /// <summary>Stops the expiry sweeper and cancels the work of requests still storing content or running the completion handler.</summary>
    /// <returns>A task that completes when the sweeper has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_sweeper is not null)
        {
            await _sweeper.DisposeAsync().ConfigureAwait(false);
        }

        // The source stays undisposed: requests still running hold its (cancelled) token.
    }

    /// <summary>A HEAD or GET without the IETF draft's fields gets the view of the protocol that made the upload.</summary>
    private async ValueTask<bool> MadeByResumableRequestAsync(HttpRequest request, string id, CancellationToken cancellationToken)
        => (await _context.FindAsync(request, id, cancellationToken).ConfigureAwait(false)).Protocol == UploadProtocol.ByteRange;

    private async ValueTask HandleTusAsync(HttpRequest request, UploadRoute route, string? id, CancellationToken cancellationToken)
    {
        if (!TusUploads.CheckVersion(request))
        {
            return;
        }

        switch (route, TusFields.Method(request))
        {
            case (UploadRoute.Creation, "POST"):
                await _tus.CreateAsync(request, _context.Stopping).ConfigureAwait(false);
                break;
            case (UploadRoute.Creation, _):
                MethodNotAllowed(request, "OPTIONS, POST");
                break;
            case (UploadRoute.Resource, "HEAD" or "GET"):
                await _tus.RetrieveOffsetAsync(request, id!, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, "PATCH"):
                await _tus.AppendAsync(request, id!, _context.Stopping).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, "DELETE"):
                await _tus.DeleteAsync(request, id!, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Resource, _):
                MethodNotAllowed(request, "HEAD, GET, PATCH, DELETE");
                break;
            default:
                await HandleResultAsync(request, route, id!, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async ValueTask HandleResultAsync(HttpRequest request, UploadRoute route, string id, CancellationToken cancellationToken)
    {
        switch (route, request.Method)
        {
            case (UploadRoute.Result, "GET" or "HEAD"):
                await UploadResults.SendResultAsync(_context, request, id, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Result, "DELETE"):
                // The client's "I have the answer" (draft-wright-http-resume-request): the upload and its result go.
                await _ietf.DeleteAsync(request, id, default, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Content, "GET" or "HEAD"):
                await UploadResults.SendContentAsync(_context, request, id, cancellationToken).ConfigureAwait(false);
                break;
            case (UploadRoute.Result, _):
                MethodNotAllowed(request, "HEAD, GET, DELETE");
                break;
            default:
                MethodNotAllowed(request, "HEAD, GET");
                break;
        }
    }

    private static void MethodNotAllowed(HttpRequest request, string allow)
    {
        request.SendStatus(405);
        request.SendHeader("Allow", allow);
    }

    private async void Sweep()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0)
        {
            return;
        }

        try
        {
            int removed = await RemoveExpiredAsync().ConfigureAwait(false);
            if (removed > 0)
            {
                UploadLog.Swept(_context.Logger, removed);
            }
        }
        catch (Exception e)
        {
            // A timer callback: whatever failed is logged, never thrown onto the thread pool (which would end the process).
            UploadLog.SweepFailed(_context.Logger, e);
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
