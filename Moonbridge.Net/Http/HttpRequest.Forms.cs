using System.Text;
using System.Text.RegularExpressions;
using Moonbridge.Net.Http.Forms;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
    private FormParameters? _postParams;
    private Dictionary<string, List<PostMetadata>>? _postMetadata;
    private List<(string? Name, Regex? Pattern, PostParamStreamHandler Handler)>? _postStreams;
    private bool _formProcessed;

    /// <summary>
    /// The form fields of a urlencoded or multipart/form-data body (Lua <c>request.post_params</c>:
    /// <c>PostParams[name]</c> is the first value). Reading it processes the body; a body of another
    /// content type makes it throw <see cref="HttpStatusException"/> 415.
    /// </summary>
    public FormParameters PostParams
    {
        get
        {
            ProcessRequestBody();
            return _postParams!;
        }
    }

    /// <summary>Every value of each form field (Lua <c>request.post_params_list</c>).</summary>
    public FormParameterLists PostParamsList => new(PostParams);

    /// <summary>
    /// The first part's metadata (file name, content type) per multipart field name
    /// (Lua <c>request.post_metadata</c>); empty for other bodies.
    /// </summary>
    public IReadOnlyDictionary<string, PostMetadata> PostMetadata
    {
        get
        {
            ProcessRequestBody();
            var first = new Dictionary<string, PostMetadata>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, List<PostMetadata>> entry in _postMetadata!)
            {
                first[entry.Key] = entry.Value[0];
            }

            return first;
        }
    }

    /// <summary>Every part's metadata per multipart field name (Lua <c>request.post_metadata_list</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PostMetadata>> PostMetadataList
    {
        get
        {
            ProcessRequestBody();
            return _postMetadata!.ToDictionary(e => e.Key, e => (IReadOnlyList<PostMetadata>)e.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>
    /// Streams the multipart field <paramref name="fieldName"/> to <paramref name="handler"/> instead of
    /// collecting it (Lua <c>stream_post_param</c>); register before the body is processed.
    /// </summary>
    /// <param name="fieldName">The field name, matched exactly.</param>
    /// <param name="handler">Receives the field's data as it arrives.</param>
    public void StreamPostParam(string fieldName, PostParamStreamHandler handler)
    {
        ArgumentNullException.ThrowIfNull(fieldName);
        AddPostStream(fieldName, null, handler);
    }

    /// <summary>
    /// Streams every multipart field whose name matches <paramref name="pattern"/> (Lua
    /// <c>stream_post_params</c>, with a .NET regular expression instead of a Lua pattern).
    /// </summary>
    /// <param name="pattern">Field names to stream, e.g. <c>new Regex("^file_[0-9]+$")</c>.</param>
    /// <param name="handler">Receives each matching field's data as it arrives.</param>
    public void StreamPostParams(Regex pattern, PostParamStreamHandler handler)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        AddPostStream(null, pattern, handler);
    }

    /// <summary>
    /// Reads and processes the whole body now (Lua <c>process_request_body</c>): form fields are collected
    /// into <see cref="PostParams"/> and streamed fields handed to their handlers. Without a Content-Type
    /// the form is empty; a content type other than urlencoded or multipart/form-data is a 415.
    /// </summary>
    public void ProcessRequestBody() => SyncWait.Completed(ProcessFormAsync(async: false));

    /// <summary>Processes the body as <see cref="ProcessRequestBody"/> does, without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops processing; the request is then unusable.</param>
    public ValueTask ProcessRequestBodyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ProcessFormAsync(async: true);
    }

    private void ResetForms()
    {
        _postParams = null;
        _postMetadata = null;
        _postStreams = null;
        _formProcessed = false;
    }

    private void AddPostStream(string? name, Regex? pattern, PostParamStreamHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_formProcessed || _bodyState != BodyState.Untouched)
        {
            throw new InvalidOperationException("POST field streams must be registered before the request body is processed.");
        }

        _fresh = false;
        (_postStreams ??= []).Add((name, pattern, handler));
    }

    private async ValueTask ProcessFormAsync(bool async)
    {
        if (_formProcessed)
        {
            return;
        }

        if (_bodyState != BodyState.Untouched)
        {
            throw new InvalidOperationException("Cannot process the request body as a form: it was already read or streamed.");
        }

        _postParams = new FormParameters();
        _postMetadata = new Dictionary<string, List<PostMetadata>>(StringComparer.Ordinal);
        HeaderValue contentType = _headers.GetValue("Content-Type");
        if (contentType.IsAbsent || (_bodyComplete && _head.Framing == Parsing.BodyFraming.None))
        {
            _formProcessed = true;
            return;
        }

        string value = contentType.Value ?? throw new HttpStatusException(400, "Ambiguous Content-Type header");
        _bodyState = BodyState.Streaming;
        _fresh = false;
        var budget = new FormBudget(_context.Options.Forms);
        MultipartCollector? collector = null;
        try
        {
            if (ContentTypeHeader.IsMediaType(value, ContentTypeHeader.FormUrlEncoded))
            {
                var parser = new UrlEncodedBodyParser(_postParams, budget);
                await ForEachBodyPieceAsync(async, parser.Write, null, CancellationToken.None).ConfigureAwait(false);
                parser.Complete();
            }
            else if (ContentTypeHeader.TryGetBoundary(value, out string? boundary))
            {
                collector = new MultipartCollector(this, budget);
                var reader = new MultipartReader(boundary, budget.MultipartHeaderSizeLimit, collector);
                await ForEachBodyPieceAsync(async, reader.Write, null, CancellationToken.None).ConfigureAwait(false);
                reader.Complete();
            }
            else
            {
                throw new HttpStatusException(415, "Unknown Content-Type of request body");
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

        _bodyState = BodyState.Consumed;
        _formProcessed = true;
    }

    private PostParamStreamHandler? FindStream(string fieldName)
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

    /// <summary>
    /// Routes multipart parts to their stream handlers, or collects them as form values within the budget's
    /// limits, checked before the bytes are kept.
    /// </summary>
    private sealed class MultipartCollector(HttpRequest request, FormBudget budget) : IMultipartHandler
    {
        private readonly SegmentedByteBuffer _value = new();
        private PostMetadata? _part;
        private PostParamStreamHandler? _stream;
        private bool _streamed;

        public void OnPartBegin(PostMetadata metadata)
        {
            budget.AddPart();
            budget.CheckKeyLength(Encoding.UTF8.GetByteCount(metadata.FieldName));
            _part = metadata;
            _stream = request.FindStream(metadata.FieldName);
            _streamed = false;
            _value.Clear();
            if (_stream is null)
            {
                budget.AddValue();
                budget.Reserve(Encoding.UTF8.GetByteCount(metadata.FieldName));
            }

            if (!request._postMetadata!.TryGetValue(metadata.FieldName, out List<PostMetadata>? list))
            {
                request._postMetadata[metadata.FieldName] = list = [];
            }

            list.Add(metadata);
        }

        public void OnPartData(ReadOnlySpan<byte> data)
        {
            if (_stream is not null)
            {
                _streamed = true;
                _stream(_part!, data, false);
                return;
            }

            if (data.Length > budget.ValueLengthLimit - _value.Length)
            {
                throw FormBudget.Exceeded(nameof(FormOptions.ValueLengthLimit), budget.ValueLengthLimit, "Multipart field length");
            }

            budget.Reserve(data.Length);
            _value.Append(data);
        }

        public void OnPartEnd()
        {
            if (_stream is not null)
            {
                if (!_streamed)
                {
                    // An empty field still gets its first call with empty data, as in the original.
                    _stream(_part!, ReadOnlySpan<byte>.Empty, false);
                }

                _stream(_part!, ReadOnlySpan<byte>.Empty, true);
            }
            else
            {
                request._postParams!.Add(_part!.FieldName, _value.ToArrayAndClear());
            }
        }

        /// <summary>Gives pooled segments back when the body fails half-way through a part.</summary>
        public void Release() => _value.Clear();
    }
}
