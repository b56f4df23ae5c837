namespace Moonbridge.Net.Http.Forms;

/// <summary>Receives the parts <see cref="MultipartReader"/> finds, in order.</summary>
/// <remarks>
/// Every part is <see cref="OnPartBegin"/>, any number of <see cref="OnPartData"/> calls, then
/// <see cref="OnPartEnd"/>. An empty part has no <see cref="OnPartData"/> call at all: data is never empty.
/// The span is only valid during the call; copy what must be kept.
/// </remarks>
internal interface IMultipartHandler
{
    void OnPartBegin(PostMetadata metadata);

    void OnPartData(ReadOnlySpan<byte> data);

    void OnPartEnd();
}
