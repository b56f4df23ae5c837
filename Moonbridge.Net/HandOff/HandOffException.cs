using Moonbridge.Net.IO;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// A hand-off did not complete. When the connection could be taken back from a failed transfer,
/// <see cref="ReturnedSocket"/> holds it (with every byte already read still readable), and the
/// caller owns it again: answer the client, or close it.
/// </summary>
public sealed class HandOffException : IOException
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public HandOffException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public HandOffException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception without a message.</summary>
    public HandOffException()
    {
    }

    /// <summary>
    /// The connection taken back after a failed transfer (the caller now owns it), or null when the
    /// connection was not detached yet (the original socket is untouched) or could not be recovered.
    /// </summary>
    public MoonSocket? ReturnedSocket { get; internal init; }
}
