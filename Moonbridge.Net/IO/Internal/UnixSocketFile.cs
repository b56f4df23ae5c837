using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.IO.Internal;

/// <summary>Recognises a stale Unix socket file, so that listening on its path can replace it.</summary>
internal static partial class UnixSocketFile
{
    private const int AtCurrentDirectory = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxModeOffset = 28; // stx_mode in struct statx, the same on every Linux architecture
    private const int FileTypeMask = 0xF000;
    private const int SocketFileType = 0xC000;

    /// <summary>
    /// Removes <paramref name="path"/> if it is a socket file nobody listens on. A live socket, or a
    /// file that is not a socket, is left alone and reported, where the original silently took it over.
    /// </summary>
    public static void RemoveStale(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        if (IsSocketFile(path) == false)
        {
            throw new IOException($"Cannot listen on '{path}': the file exists and is not a socket.");
        }

        using (var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            try
            {
                probe.Connect(new UnixDomainSocketEndPoint(path));
                throw new SocketException((int)SocketError.AddressAlreadyInUse);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable)
            {
                // Nobody accepts on it: a leftover of a process that ended.
            }
        }

        File.Delete(path);
    }

    /// <summary>True for a socket file, false for any other file, null when the platform cannot tell.</summary>
    private static bool? IsSocketFile(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> status = stackalloc byte[256];
        try
        {
            if (Statx(AtCurrentDirectory, path, AtSymlinkNoFollow, StatxType, ref MemoryMarshal.GetReference(status)) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        int mode = BitConverter.ToUInt16(status[StatxModeOffset..]);
        return (mode & FileTypeMask) == SocketFileType;
    }

    [LibraryImport("libc", EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}
