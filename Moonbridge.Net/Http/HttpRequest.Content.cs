using Moonbridge.Net.Http.Ranges;

namespace Moonbridge.Net.Http;

public sealed partial class HttpRequest
{
    /// <summary>
    /// Answers with a whole representation or the parts the client asked for (RFC 9110 §14): <c>200</c>, <c>206</c> with
    /// one range or <c>multipart/byteranges</c>, or <c>416</c>; <c>If-Range</c> is honoured with the validators given, so
    /// a download can be resumed safely. For GET and HEAD; call it before sending a status.
    /// </summary>
    /// <param name="content">The representation: readable and seekable, its <see cref="Stream.Length"/> the representation's length.</param>
    /// <param name="representation">Its media type and validators.</param>
    /// <param name="headers">More header fields for the answer, whatever its status (e.g. <c>Cache-Control</c>, <c>Set-Cookie</c>); null for none.</param>
    /// <param name="cancellationToken">Stops reading the content.</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read.</exception>
    public ValueTask SendContentAsync(
        Stream content, RepresentationMetadata representation, IReadOnlyList<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(representation);
        if (!content.CanSeek || !content.CanRead)
        {
            throw new ArgumentException("The content must be a readable, seekable stream.", nameof(content));
        }

        return RangeResponder.SendAsync(this, content, representation, headers, cancellationToken);
    }
}
