namespace Moonbridge.Net.Http.Internal;

/// <summary>How flushing the connection's output ended.</summary>
internal enum OutputFlush
{
    /// <summary>The client took everything.</summary>
    Done,

    /// <summary>Writing failed: the connection is broken.</summary>
    Failed,

    /// <summary>The client took nothing for the stall timeout; the connection was reset.</summary>
    Stalled,

    /// <summary>The client read below the minimum response data rate; the connection was reset.</summary>
    TooSlow,
}
