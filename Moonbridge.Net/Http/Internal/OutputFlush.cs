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

/// <summary>A flush that did not end <see cref="OutputFlush.Done"/> as the handler sees it.</summary>
internal static class OutputFlushOutcome
{
    /// <summary>Throws the handler's <see cref="IOException"/> (the public API's word for a broken connection) unless <paramref name="flush"/> is done.</summary>
    public static void ThrowUnlessDone(this OutputFlush flush)
    {
        if (flush != OutputFlush.Done)
        {
            throw new IOException(flush switch
            {
                OutputFlush.TooSlow => "Client connection reads the response too slowly.",
                OutputFlush.Stalled => "Client connection stalled.",
                _ => "Could not send data to client.",
            });
        }
    }
}
