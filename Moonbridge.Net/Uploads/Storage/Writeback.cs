using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Moonbridge.Net.Uploads.Storage;

/// <summary>
/// Starts the kernel writing a range of a file to its device without waiting for it (Linux <c>sync_file_range</c> with
/// <c>SYNC_FILE_RANGE_WRITE</c>), so the <c>fsync</c> at the next durable point finds most of the data written already
/// instead of writing all of it then while the client waits. No durability rests on it: the <c>fsync</c> still comes.
/// A no-op on file systems without writeback (tmpfs); skipped on other systems and where libc lacks the call.
/// </summary>
internal static partial class Writeback
{
    private const uint SyncFileRangeWrite = 2;
    private static volatile bool s_unavailable = !OperatingSystem.IsLinux();

    /// <summary>Starts writeback of <paramref name="length"/> bytes from <paramref name="offset"/>; errors are ignored (the fsync reports them).</summary>
    public static void Start(SafeFileHandle file, long offset, long length)
    {
        if (s_unavailable || length <= 0)
        {
            return;
        }

        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            _ = SyncFileRange((int)file.DangerousGetHandle(), offset, length, SyncFileRangeWrite);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            s_unavailable = true;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range")]
    private static partial int SyncFileRange(int fd, long offset, long length, uint flags);
}
