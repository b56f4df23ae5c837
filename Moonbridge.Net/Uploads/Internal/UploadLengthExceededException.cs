namespace Moonbridge.Net.Uploads.Internal;

/// <summary>A request carried bytes beyond the upload's known length: the upload is deactivated (the drafts' rule), the request refused.</summary>
internal sealed class UploadLengthExceededException : Exception
{
    public UploadLengthExceededException()
        : base("The content goes beyond the upload's length.")
    {
    }

    public UploadLengthExceededException(string message)
        : base(message)
    {
    }

    public UploadLengthExceededException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
