using System.Globalization;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Internal;

namespace Moonbridge.Net.Uploads.Internal;

/// <summary>What every protocol face shares: the store, the limits, the clock, the owner binding and the completion.</summary>
internal sealed class UploadContext(IUploadStore store, ResumableUploadOptions options, UploadCompletion completion, TimeProvider clock, ILogger logger, CancellationToken stopping)
{
    /// <summary>
    /// Cancelled when the uploads service stops. Requests that carry content use it instead of the handler's token,
    /// which fires when the client half-closes: what the client sent before must still be stored, and a completed
    /// upload still handed to the application, whether or not the client waits for the answer.
    /// </summary>
    public CancellationToken Stopping { get; } = stopping;

    public IUploadStore Store { get; } = store;

    public ResumableUploadOptions Options { get; } = options;

    public UploadCompletion Completion { get; } = completion;

    public TimeProvider Clock { get; } = clock;

    public ILogger Logger { get; } = logger;

    public UploadLimits Limits { get; } = new()
    {
        MaxSize = options.MaxSize,
        MaxAppendSize = options.MaxAppendSize,
        MinAppendSize = options.MinAppendSize,
    };

    /// <summary>The upload resource's path, the same in every response that names it (relative to the server).</summary>
    public string ResourcePath(string id) => Options.Path + "/" + id;

    public DateTimeOffset NewExpiry() => Clock.GetUtcNow() + Options.Lifetime;

    public string? OwnerOf(HttpRequest request) => Options.Owner?.Invoke(request);

    /// <summary>Who the cap on open uploads counts against: the request's owner, else the client's address.</summary>
    public string ClientOf(HttpRequest request)
        => OwnerOf(request) ?? (request.Socket.RemoteEndPoint is System.Net.IPEndPoint remote ? remote.Address.ToString() : "local");

    /// <summary>Refuses a creation (429) when the client already has as many open uploads as it may.</summary>
    public async ValueTask EnsureRoomForNewUploadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (Options.MaxOpenUploadsPerClient > 0
            && await Store.CountOpenAsync(ClientOf(request), cancellationToken).ConfigureAwait(false) >= Options.MaxOpenUploadsPerClient)
        {
            throw new HttpStatusException(429, "Too many incomplete uploads: finish or delete some first");
        }
    }

    /// <summary>A reporter of the request's progress on the upload (the offset after each write), or null when nobody listens.</summary>
    public Action<long>? ProgressOf(HttpRequest request, IUploadAppend hold)
    {
        if (Options.Progress is not { } observer)
        {
            return null;
        }

        string uploadId = hold.Record.Id;
        string progressId = ProgressIdOf(request, uploadId);
        return offset => observer(new UploadProgress(uploadId, progressId, offset, hold.Record.Length, IsComplete: false));
    }

    /// <summary>The last report of an upload that completed.</summary>
    public void ReportCompleted(HttpRequest request, IUploadAppend hold)
    {
        UploadTelemetry.Completed(hold.Record.Protocol);
        Options.Progress?.Invoke(new UploadProgress(hold.Record.Id, ProgressIdOf(request, hold.Record.Id), hold.Offset, hold.Offset, IsComplete: true));
    }

    private static string ProgressIdOf(HttpRequest request, string uploadId)
        => request.Headers.GetCsvString("X-Progress-Id")?.Trim() is { Length: > 0 } header ? header
            : request.GetParams["X-Progress-Id"] is { Length: > 0 } query ? query
            : uploadId;

    /// <summary>
    /// Creates an upload whose representation the request describes in its own fields (the IETF draft's and the
    /// resumable request's way): its media type, disposition and codings, owned by the request's owner.
    /// </summary>
    public async ValueTask<UploadRecord> CreateFromRequestAsync(HttpRequest request, UploadProtocol protocol, long? length, CancellationToken cancellationToken)
    {
        await EnsureRoomForNewUploadAsync(request, cancellationToken).ConfigureAwait(false);
        return await CreateAsync(
            new UploadCreation
            {
                Protocol = protocol,
                Owner = OwnerOf(request),
                Client = ClientOf(request),
                Length = length,
                MediaType = request.Headers.GetCsvString("Content-Type"),
                Disposition = request.Headers.GetCsvString("Content-Disposition"),
                ContentEncoding = request.Headers.GetCsvString("Content-Encoding"),
                ExpiresAt = NewExpiry(),
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates an upload, counted for the metrics.</summary>
    public async ValueTask<UploadRecord> CreateAsync(UploadCreation creation, CancellationToken cancellationToken)
    {
        UploadRecord record = await Store.CreateAsync(creation, cancellationToken).ConfigureAwait(false);
        UploadTelemetry.Created(record.Protocol);
        return record;
    }

    /// <summary>The upload, if it exists and the request's owner may see it; else a 404 (never a 403, which would confirm the id).</summary>
    public async ValueTask<UploadRecord> FindAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        UploadRecord? record = await Store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        return record is not null && MayUse(request, record) ? record : throw UnknownUpload();
    }

    /// <summary>
    /// Takes the upload over for this request, ending any older request's hold on it (newest wins). A request that
    /// was itself overtaken while it waited ends its connection.
    /// </summary>
    public async ValueTask<IUploadAppend> TakeOverAsync(HttpRequest request, string id, CancellationToken cancellationToken)
    {
        _ = await FindAsync(request, id, cancellationToken).ConfigureAwait(false);
        try
        {
            return await Store.TakeOverAsync(id, cancellationToken).ConfigureAwait(false) ?? throw UnknownUpload();
        }
        catch (UploadSupersededException e)
        {
            throw new ConnectionAbortedException("A newer request took the upload over while this one waited.", e);
        }
    }

    public bool MayUse(HttpRequest request, UploadRecord record) => record.Owner is null || record.Owner == OwnerOf(request);

    public static HttpStatusException UnknownUpload() => new(404, "No such upload");

    /// <summary>The request's announced content length; null for a chunked body (the parser already refused a malformed one).</summary>
    public static long? ContentLength(HttpRequest request)
        => request.Headers.GetCsvString("Content-Length") is { } value
            && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long length) ? length : null;

    /// <summary>Whether the request carries content: a positive Content-Length, or a chunked body (whose size is unknown until its end).</summary>
    public static bool HasContent(HttpRequest request)
        => ContentLength(request) is > 0 || request.Headers.Contains("Transfer-Encoding");

    /// <summary>The media type of the request content without its parameters, or null.</summary>
    public static string? MediaType(HttpRequest request)
    {
        if (request.Headers.GetCsvString("Content-Type") is not { } value)
        {
            return null;
        }

        int semicolon = value.IndexOf(';', StringComparison.Ordinal);
        return (semicolon < 0 ? value : value[..semicolon]).Trim();
    }
}
