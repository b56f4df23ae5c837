using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Moonbridge.Net.Http.Forms;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http.Internal;

/// <summary>
/// The request body processed as a form (urlencoded or multipart/form-data): fields collected within the
/// <see cref="FormOptions"/> budget, or streamed to the handlers registered for them.
/// </summary>
internal sealed class FormReader(RequestBodyReader body, HttpRequestHead head, HttpServerContext context)
{
    private FormParameters? _postParams;
    private Dictionary<string, List<PostMetadata>>? _postMetadata;
    private List<(string? Name, Regex? Pattern, PostParamStreamHandler Handler)>? _postStreams;
    private bool _processed;

    /// <summary>True once a field stream was registered (the request is no longer fresh).</summary>
    public bool Touched => _postStreams is not null;

    /// <summary>The collected fields; only after <see cref="ProcessAsync"/>.</summary>
    public FormParameters Fields => _postParams!;

    /// <summary>Every part's metadata per field name; only after <see cref="ProcessAsync"/>.</summary>
    public Dictionary<string, List<PostMetadata>> Metadata => _postMetadata!;

    public void Reset()
    {
        _postParams = null;
        _postMetadata = null;
        _postStreams = null;
        _processed = false;
    }

    public void AddStream(string? name, Regex? pattern, PostParamStreamHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_processed || body.State != RequestBodyState.Untouched)
        {
            throw new InvalidOperationException("POST field streams must be registered before the request body is processed.");
        }

        (_postStreams ??= []).Add((name, pattern, handler));
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ProcessAsync<TWaiter>(HeaderValue contentType)
        where TWaiter : struct, ITransportWaiter
    {
        if (_processed)
        {
            return;
        }

        if (body.State != RequestBodyState.Untouched)
        {
            throw new InvalidOperationException("Cannot process the request body as a form: it was already read or streamed.");
        }

        _postParams = new FormParameters();
        _postMetadata = new Dictionary<string, List<PostMetadata>>(StringComparer.Ordinal);
        if (contentType.IsAbsent || (body.IsComplete && head.Framing == BodyFraming.None))
        {
            _processed = true;
            return;
        }

        string value = contentType.Value ?? throw HttpParseErrors.ForHandler(RequestRejectionReason.AmbiguousContentType);
        body.State = RequestBodyState.Streaming;
        var budget = new FormBudget(context.Options.Forms);
        MultipartCollector? collector = null;
        try
        {
            if (ContentTypeHeader.IsMediaType(value, ContentTypeHeader.FormUrlEncoded))
            {
                var parser = new UrlEncodedBodyParser(_postParams, budget);
                await body.ForEachPieceAsync<TWaiter>(parser.Write, null, CancellationToken.None).ConfigureAwait(false);
                parser.Complete();
            }
            else if (ContentTypeHeader.TryGetBoundary(value, out string? boundary))
            {
                collector = new MultipartCollector(this, budget);
                var reader = new MultipartReader(boundary, budget.MultipartHeaderSizeLimit, collector);
                await body.ForEachPieceAsync<TWaiter>(reader.Write, null, CancellationToken.None).ConfigureAwait(false);
                reader.Complete();
            }
            else
            {
                throw HttpParseErrors.ForHandler(RequestRejectionReason.UnsupportedContentType);
            }
        }
        catch (FormParseException e)
        {
            throw new HttpStatusException(e.StatusCode, e.Message);
        }
        finally
        {
            collector?.Release();
        }

        body.State = RequestBodyState.Consumed;
        _processed = true;
    }

    internal PostParamStreamHandler? FindStream(string fieldName)
    {
        if (_postStreams is null)
        {
            return null;
        }

        foreach ((string? name, Regex? pattern, PostParamStreamHandler handler) in _postStreams)
        {
            if (name is not null ? name == fieldName : pattern!.IsMatch(fieldName))
            {
                return handler;
            }
        }

        return null;
    }
}
