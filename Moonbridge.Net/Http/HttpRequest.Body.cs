using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Http;

/// <summary>The request body as a handler takes it, over the connection's <see cref="RequestBodyReader"/>.</summary>
public sealed partial class HttpRequest
{
    /// <summary>
    /// The whole request body (Lua <c>request.body</c>), read on first access, at most
    /// <see cref="HttpOptions.RequestBodySizeLimit"/> bytes. Only possible while nothing else has read the body.
    /// </summary>
    public byte[] Body => BodyReader.Whole ?? SyncWait.Completed(BodyReader.ReadWholeAsync<BlockingTransportWaiter>());

    /// <summary>The whole request body, read without blocking a thread.</summary>
    /// <param name="cancellationToken">Stops reading; the request is then unusable.</param>
    public ValueTask<byte[]> ReadBodyAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return BodyReader.Whole is { } whole ? ValueTask.FromResult(whole) : BodyReader.ReadWholeAsync<AsyncTransportWaiter>();
    }

    /// <summary>
    /// Pulls the next piece of the body into <paramref name="destination"/>; 0 at its end. The first call
    /// sends <c>100 Continue</c> when the client asked for it.
    /// </summary>
    /// <param name="destination">Where to copy body bytes.</param>
    /// <param name="cancellationToken">Stops waiting; the request is then unusable.</param>
    public ValueTask<int> ReadBodyAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BodyReader.EnterStreaming(allowRepeat: true);
        return BodyReader.ReadAsync<AsyncTransportWaiter>(destination);
    }

    /// <summary>
    /// <see cref="ReadBodyAsync(Memory{byte}, CancellationToken)"/> that gives up waiting after <paramref name="patience"/>
    /// and returns -1 then, the request still usable (the uploads layer makes what it holds durable meanwhile).
    /// </summary>
    internal ValueTask<int> ReadBodyAsync(Memory<byte> destination, TimeSpan patience, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        BodyReader.EnterStreaming(allowRepeat: true);
        return BodyReader.ReadAsync<AsyncTransportWaiter>(destination, patience);
    }

    /// <summary>
    /// Streams the request body to <paramref name="callback"/> in pieces of at most
    /// <see cref="HttpOptions.MaximumInputChunkSize"/> bytes; returns at its end (Lua <c>stream_request_body</c>).
    /// With a null callback the rest of the body is read and discarded, at any stage.
    /// </summary>
    /// <param name="callback">Receives each piece, or null to discard.</param>
    public void StreamRequestBody(Action<ReadOnlySpan<byte>>? callback)
        => SyncWait.Completed(BodyReader.StreamAsync<BlockingTransportWaiter>(callback, null, CancellationToken.None));

    /// <summary>Streams the request body to an async callback; see <see cref="StreamRequestBody"/>.</summary>
    /// <param name="callback">Receives each piece (valid only until the returned task completes), or null to discard.</param>
    /// <param name="cancellationToken">Passed to the callback.</param>
    public ValueTask StreamRequestBodyAsync(Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask>? callback, CancellationToken cancellationToken = default)
        => BodyReader.StreamAsync<AsyncTransportWaiter>(null, callback, cancellationToken);

    /// <summary>
    /// The trailer fields of a chunked request body (e.g. a checksum computed while sending), available once the body
    /// was read to its end; empty before that and for other bodies. Names as sent, values trimmed; the trailer
    /// section is bounded by the same limit as any other.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, string>> Trailers => BodyReader.Trailers;

    /// <summary>
    /// Lua <c>defer_reading</c>; has no effect, because the server never processes the body by itself when the
    /// response begins (forms are parsed only when the handler asks, see <see cref="PostParams"/>). Answering
    /// before reading a large body risks a deadlock with clients that do not read while they send; read the
    /// body first, or keep such responses small.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Part of the request object's Lua-shaped API.")]
    public void DeferReading()
    {
        // Deferred already: nothing reads the body unless the handler asks.
    }

    /// <summary>
    /// Sends a <c>100 Continue</c> carrying <paramref name="fields"/> (validated as response headers): library code that
    /// must say something before the body is read, or acknowledge progress while it is. Counts as the answer to
    /// <c>Expect: 100-continue</c>; nothing is sent to an HTTP/1.0 client or once the final response began.
    /// </summary>
    internal ValueTask SendContinueAsync(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var encoded = new System.Text.StringBuilder();
        foreach ((string name, string value) in fields)
        {
            HeaderValidation.ThrowIfInvalid(name, value);
            encoded.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return BodyReader.SendContinueAsync<AsyncTransportWaiter>(System.Text.Encoding.Latin1.GetBytes(encoded.ToString()));
    }
}
