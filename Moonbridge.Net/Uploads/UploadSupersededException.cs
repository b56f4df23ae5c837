namespace Moonbridge.Net.Uploads;

/// <summary>A newer request took the upload over (IETF draft: the newest request wins); this one must end.</summary>
internal sealed class UploadSupersededException : Exception
{
    public UploadSupersededException()
        : base("A newer request took this upload over.")
    {
    }

    public UploadSupersededException(string message)
        : base(message)
    {
    }

    public UploadSupersededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
