namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// A <see cref="FileUploadStore"/>'s coordination for one upload while requests want it: one holds it at a time
/// (<see cref="Hold"/>), and the newest request wins. Every request draws a ticket on arrival; an older one that
/// gets the hold after a newer one arrived gives up at once, and a hold whose ticket is no longer the newest is
/// superseded the moment it is known. The slot lives while any request uses it, so unknown ids leave nothing behind.
/// </summary>
internal sealed class UploadSlot
{
    private readonly Lock _lock = new();
    private FileUploadAppend? _holder;
    private long _holderTicket;
    private long _newestTicket;
    private int _users;

    /// <summary>Held from a takeover until its hold is disposed (and by a delete while it removes the files).</summary>
    public SemaphoreSlim Hold { get; } = new(1, 1);

    /// <summary>Registers a request that wants the upload and supersedes the current hold; returns the request's ticket.</summary>
    public long Enter()
    {
        FileUploadAppend? holder;
        long ticket;
        lock (_lock)
        {
            _users++;
            ticket = ++_newestTicket;
            holder = _holder;
        }

        holder?.Supersede();
        return ticket;
    }

    /// <summary>True when no request came after the one with <paramref name="ticket"/>.</summary>
    public bool IsNewest(long ticket)
    {
        lock (_lock)
        {
            return ticket == _newestTicket;
        }
    }

    /// <summary>Records the hold of the request with <paramref name="ticket"/>, superseding it at once if a newer request already came.</summary>
    public void SetHolder(FileUploadAppend holder, long ticket)
    {
        bool newerCame;
        lock (_lock)
        {
            _holder = holder;
            _holderTicket = ticket;
            newerCame = ticket != _newestTicket;
        }

        if (newerCame)
        {
            holder.Supersede();
        }
    }

    /// <summary>A request is done with the upload; returns true when it was the last user, so the slot can go.</summary>
    public bool Leave(FileUploadAppend? holder = null)
    {
        lock (_lock)
        {
            if (holder is not null && _holder == holder)
            {
                _holder = null;
                _holderTicket = 0;
            }

            return --_users == 0;
        }
    }
}
