namespace Moonbridge.Net.Http;

/// <summary>
/// Limits on what form processing (<see cref="HttpRequest.PostParams"/> and the other <c>Post*</c> members)
/// keeps in memory, so that the memory a form costs is bounded by these numbers rather than by the body. Each
/// overrun is answered with 413 whose reason names the limit. Fields streamed with
/// <see cref="HttpRequest.StreamPostParam"/> are not buffered, so only the count and header limits apply to them.
/// </summary>
/// <remarks>
/// The defaults fit ordinary HTML forms with small attachments: 16 MiB of buffered form data at most per
/// request. Uploads larger than <see cref="ValueLengthLimit"/> should be streamed.
/// </remarks>
public sealed class FormOptions
{
    /// <summary>Default of <see cref="ValueCountLimit"/>.</summary>
    public const int DefaultValueCountLimit = 1024;

    /// <summary>Default of <see cref="KeyLengthLimit"/>: 2 KiB.</summary>
    public const int DefaultKeyLengthLimit = 2 * 1024;

    /// <summary>Default of <see cref="ValueLengthLimit"/>: 4 MiB.</summary>
    public const int DefaultValueLengthLimit = 4 * 1024 * 1024;

    /// <summary>Default of <see cref="MultipartPartCountLimit"/>.</summary>
    public const int DefaultMultipartPartCountLimit = 256;

    /// <summary>Default of <see cref="MultipartHeaderSizeLimit"/>: 16 KiB.</summary>
    public const int DefaultMultipartHeaderSizeLimit = 16 * 1024;

    /// <summary>Default of <see cref="BufferedFormSizeLimit"/>: 16 MiB.</summary>
    public const long DefaultBufferedFormSizeLimit = 16L * 1024 * 1024;

    /// <summary>
    /// Most values collected into <see cref="HttpRequest.PostParams"/>: items of a urlencoded body, or
    /// multipart parts that are not streamed (default 1024).
    /// </summary>
    public int ValueCountLimit { get; set; } = DefaultValueCountLimit;

    /// <summary>Most bytes of one field name, as sent (urlencoded: before percent-decoding; default 2 KiB).</summary>
    public int KeyLengthLimit { get; set; } = DefaultKeyLengthLimit;

    /// <summary>
    /// Most bytes of one buffered value: a urlencoded value as sent (before percent-decoding), or the data of a
    /// multipart part that is not streamed, files included (default 4 MiB). Stream larger uploads.
    /// </summary>
    public int ValueLengthLimit { get; set; } = DefaultValueLengthLimit;

    /// <summary>Most parts in a multipart body, streamed ones included (default 256).</summary>
    public int MultipartPartCountLimit { get; set; } = DefaultMultipartPartCountLimit;

    /// <summary>Most bytes of the header section of one multipart part, its line ends included (default 16 KiB).</summary>
    public int MultipartHeaderSizeLimit { get; set; } = DefaultMultipartHeaderSizeLimit;

    /// <summary>
    /// Most bytes of names and values kept for one request's form, summed over all fields (decoded;
    /// default 16 MiB). Together with the per-value limits this bounds a form's memory.
    /// </summary>
    public long BufferedFormSizeLimit { get; set; } = DefaultBufferedFormSizeLimit;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(ValueCountLimit, 1, nameof(ValueCountLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(KeyLengthLimit, 1, nameof(KeyLengthLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(ValueLengthLimit, nameof(ValueLengthLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(MultipartPartCountLimit, 1, nameof(MultipartPartCountLimit));
        ArgumentOutOfRangeException.ThrowIfLessThan(MultipartHeaderSizeLimit, 64, nameof(MultipartHeaderSizeLimit));
        ArgumentOutOfRangeException.ThrowIfNegative(BufferedFormSizeLimit, nameof(BufferedFormSizeLimit));
    }
}
