namespace Moonbridge.Net.Uploads;

/// <summary>A newer request took the upload over (IETF draft: the newest request wins); this one must end.</summary>
public sealed class UploadSupersededException : Exception
{
    /// <summary>Creates the exception with the standard message.</summary>
    public UploadSupersededException()
        : base("A newer request took this upload over.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened.</param>
    public UploadSupersededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What happened.</param>
    /// <param name="innerException">The cause.</param>
    public UploadSupersededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
