using System.Text.RegularExpressions;
using Moonbridge.Net.Http.Forms;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
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
            return Form.Fields;
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
            foreach (KeyValuePair<string, List<PostMetadata>> entry in Form.Metadata)
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
            return Form.Metadata.ToDictionary(e => e.Key, e => (IReadOnlyList<PostMetadata>)e.Value, StringComparer.Ordinal);
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
        Form.AddStream(fieldName, null, handler);
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
        Form.AddStream(null, pattern, handler);
    }

    /// <summary>
    /// Reads and processes the whole body now (Lua <c>process_request_body</c>): form fields are collected
    /// into <see cref="PostParams"/> and streamed fields handed to their handlers. Without a Content-Type
    /// the form is empty; a content type other than urlencoded or multipart/form-data is a 415.
    /// </summary>
    public void ProcessRequestBody() => SyncWait.Completed(Form.ProcessAsync<BlockingTransportWaiter>(Live.Headers.GetValue("Content-Type")));

    /// <summary>Processes the body as <see cref="ProcessRequestBody"/> does, without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops processing; the request is then unusable.</param>
    public ValueTask ProcessRequestBodyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Form.ProcessAsync<AsyncTransportWaiter>(Live.Headers.GetValue("Content-Type"));
    }
}
