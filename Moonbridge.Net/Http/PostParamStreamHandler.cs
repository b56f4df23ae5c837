using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Http;

/// <summary>
/// Receives one multipart/form-data field as it streams in (Lua <c>stream_post_param</c>'s callback):
/// first with the first piece of data (empty for an empty field), then with each further piece, then
/// once more with empty data and <paramref name="isEnd"/> true.
/// </summary>
/// <param name="metadata">The field's name, file name and content type.</param>
/// <param name="data">A piece of the field's content; valid only during the call.</param>
/// <param name="isEnd">True for the final call that marks the end of the field.</param>
public delegate void PostParamStreamHandler(PostMetadata metadata, ReadOnlySpan<byte> data, bool isEnd);
