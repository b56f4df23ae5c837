namespace Moonbridge.Net.Http.Parsing;

/// <summary>What <see cref="ChunkedBodyDecoder.Read"/> found.</summary>
internal enum ChunkedReadStatus
{
    /// <summary>Payload bytes were returned.</summary>
    Data,

    /// <summary>The input ended before the next payload byte or the end of the body.</summary>
    NeedMoreData,

    /// <summary>The last chunk, the trailer section and the final CRLF were read.</summary>
    Complete,
}
