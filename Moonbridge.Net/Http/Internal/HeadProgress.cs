namespace Moonbridge.Net.Http.Internal;

/// <summary>Where reading a request head stands after a wait for input.</summary>
internal enum HeadProgress
{
    /// <summary>More input is needed to complete the head.</summary>
    NeedsInput,

    /// <summary>A head was parsed into the connection's request head.</summary>
    Complete,

    /// <summary>The connection ended quietly: the client closed, an idle connection timed out or rests, or the server stops.</summary>
    Ended,
}
