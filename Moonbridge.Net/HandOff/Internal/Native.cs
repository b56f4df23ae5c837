using System.Runtime.InteropServices;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// The few Linux system calls descriptor passing needs. .NET has no managed way to send a descriptor
/// over a Unix socket (<c>SCM_RIGHTS</c>), so <c>sendmsg</c>/<c>recvmsg</c> are called directly.
/// Structures are laid out for 64-bit and 32-bit little-endian Linux (glibc and musl).
/// </summary>
internal static unsafe partial class Native
{
    internal const int SolSocket = 1;
    internal const int ScmRights = 1;
    internal const int SoPeerCred = 17;
    internal const int MsgCtrunc = 0x8;
    internal const int MsgDontWait = 0x40;
    internal const int MsgNoSignal = 0x4000;
    internal const int MsgCmsgCloexec = 0x40000000;
    internal const int FDupFdCloexec = 1030;
    internal const int FGetFd = 1;
    internal const int FdCloexec = 1;
    internal const int OCloexec = 0x80000;
    internal const int AfUnix = 1;
    internal const int SockStream = 1;
    internal const int SockCloexec = 0x80000;

    internal const int EIntr = 4;
    internal const int EAgain = 11;

    [StructLayout(LayoutKind.Sequential)]
    internal struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CmsgHdr
    {
        public nuint Length;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_ALIGN: control data is aligned to the size of <c>size_t</c>.</summary>
    internal static int CmsgAlign(int length) => (length + IntPtr.Size - 1) & ~(IntPtr.Size - 1);

    /// <summary>CMSG_LEN: header plus <paramref name="dataLength"/> bytes, without trailing padding.</summary>
    internal static int CmsgLen(int dataLength) => CmsgAlign(sizeof(CmsgHdr)) + dataLength;

    /// <summary>CMSG_SPACE: header plus <paramref name="dataLength"/> bytes, padded.</summary>
    internal static int CmsgSpace(int dataLength) => CmsgAlign(sizeof(CmsgHdr)) + CmsgAlign(dataLength);

    [LibraryImport("libc", EntryPoint = "sendmsg", SetLastError = true)]
    internal static partial nint SendMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "recvmsg", SetLastError = true)]
    internal static partial nint RecvMsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    internal static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "dup3", SetLastError = true)]
    internal static partial int Dup3(int oldFd, int newFd, int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epollFd, int operation, int fd, void* eventOrNull);

    internal const int EpollCtlDel = 2;

    [LibraryImport("libc", EntryPoint = "geteuid")]
    internal static partial uint GetEffectiveUserId();

    /// <summary>Throws <see cref="PlatformNotSupportedException"/> off Linux.</summary>
    internal static void EnsureSupported()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Socket hand-off (SCM_RIGHTS descriptor passing) is supported on Linux only.");
        }
    }

    /// <summary>Closes a raw descriptor, ignoring errors (used on cleanup paths only).</summary>
    internal static void CloseQuietly(int fd)
    {
        if (fd >= 0)
        {
            _ = Close(fd);
        }
    }
}
