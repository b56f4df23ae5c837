namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// The process's coordination for one upload of a <see cref="FileUploadStore"/>: one request holds it at a time
/// (<see cref="Hold"/>), a newer one supersedes that hold and waits for it to end, and metadata writes take turns.
/// </summary>
internal sealed class UploadSlot
{
    private readonly Lock _lock = new();
    private FileUploadAppend? _holder;

    /// <summary>Held from a takeover until its hold is disposed.</summary>
    public SemaphoreSlim Hold { get; } = new(1, 1);

    /// <summary>Held while the metadata file is rewritten.</summary>
    public SemaphoreSlim Metadata { get; } = new(1, 1);

    /// <summary>The last durable state, once read or written by this process.</summary>
    public UploadRecord? Record { get; set; }

    /// <summary>Ends the current hold, if any: the holder's token is cancelled and its further writes fail.</summary>
    public void SupersedeHolder()
    {
        FileUploadAppend? holder;
        lock (_lock)
        {
            holder = _holder;
        }

        holder?.Supersede();
    }

    public void SetHolder(FileUploadAppend? holder)
    {
        lock (_lock)
        {
            _holder = holder;
        }
    }

    public void ClearHolder(FileUploadAppend holder)
    {
        lock (_lock)
        {
            if (_holder == holder)
            {
                _holder = null;
            }
        }
    }
}
