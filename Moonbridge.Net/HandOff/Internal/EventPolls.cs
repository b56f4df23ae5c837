namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// Removes a descriptor from the runtime's epoll instances before its connection leaves the socket
/// object. The runtime never deletes registrations (closing the last descriptor of a file does), but a
/// handed-off connection stays open elsewhere, so its registration would outlive the socket object:
/// events for a connection this process no longer serves would wake whatever socket reuses the number,
/// and receiving the same connection back under the same number would fail with <c>EEXIST</c>.
/// </summary>
internal static unsafe class EventPolls
{
    private static int[]? s_epollFds;

    /// <summary>Deletes <paramref name="fd"/> (still referring to the connection) from every epoll instance of the process.</summary>
    internal static void Forget(int fd)
    {
        int[] epolls = s_epollFds ??= Find();
        foreach (int epoll in epolls)
        {
            // ENOENT (not registered there) and EBADF (not an epoll of ours any more) are both fine.
            _ = Native.EpollCtl(epoll, Native.EpollCtlDel, fd, null);
        }

        if (epolls.Length == 0)
        {
            s_epollFds = null;
        }
    }

    /// <summary>The runtime creates its epoll instances once, at its first socket; find them by their link name.</summary>
    private static int[] Find()
    {
        var found = new List<int>();
        try
        {
            foreach (string entry in Directory.EnumerateFiles("/proc/self/fd"))
            {
                string? target;
                try
                {
                    target = new FileInfo(entry).LinkTarget;
                }
                catch (IOException)
                {
                    continue;
                }

                if (target == "anon_inode:[eventpoll]" && int.TryParse(Path.GetFileName(entry), out int fd))
                {
                    found.Add(fd);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return [.. found];
    }
}
