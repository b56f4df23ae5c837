namespace Moonbridge.Net.Http.Forms;

/// <summary>Where <see cref="MultipartReader"/> is in the body.</summary>
internal enum MultipartState
{
    /// <summary>Before the first delimiter; bytes are discarded.</summary>
    Preamble,

    /// <summary>Just after <c>--boundary</c>: <c>--</c> closes the body, padding and CRLF start a part.</summary>
    AfterDelimiter,

    /// <summary>After the first <c>-</c> of a close delimiter.</summary>
    CloseDelimiter,

    /// <summary>In the whitespace RFC 2046 allows between the boundary and its line end.</summary>
    TransportPadding,

    /// <summary>After the CR that ends a boundary line.</summary>
    BoundaryLineFeed,

    /// <summary>In a part's header section.</summary>
    Headers,

    /// <summary>In a part's data; bytes go to the handler.</summary>
    Data,

    /// <summary>After the close delimiter; bytes are discarded.</summary>
    Epilogue,

    /// <summary>A parse error or a handler exception happened, or the body was completed.</summary>
    Closed,
}
