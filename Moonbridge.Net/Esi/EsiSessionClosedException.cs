namespace Moonbridge.Net.Esi;

/// <summary>
/// Thrown by <see cref="EsiSession.Deliver(ReadOnlySpan{byte})"/> when the session can no longer deliver: the
/// script's last call returned, the script timeout expired, or an invalid header section was already answered
/// with <c>500</c>.
/// </summary>
public sealed class EsiSessionClosedException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public EsiSessionClosedException()
        : base("The ESI session is closed.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the session is closed.</param>
    public EsiSessionClosedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">Why the session is closed.</param>
    /// <param name="innerException">The cause.</param>
    public EsiSessionClosedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
