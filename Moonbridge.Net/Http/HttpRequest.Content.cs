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
    /// <param name="cancellationToken">Stops reading the content.</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read.</exception>
    public ValueTask SendContentAsync(Stream content, RepresentationMetadata representation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(representation);
        if (!content.CanSeek || !content.CanRead)
        {
            throw new ArgumentException("The content must be a readable, seekable stream.", nameof(content));
        }

        return RangeResponder.SendAsync(this, content, representation, null, cancellationToken);
    }
}
