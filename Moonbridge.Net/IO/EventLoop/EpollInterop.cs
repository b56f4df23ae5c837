using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// The Linux calls an event loop makes itself: epoll, an eventfd to wake it, and non-blocking
/// <c>recv</c>/<c>send</c> on descriptors it owns. Values are the Linux ones shared by x86-64 and arm64
/// (glibc and musl); <c>struct epoll_event</c> is packed on x86 only, so its stride is chosen at run time.
/// </summary>
internal static unsafe partial class EpollInterop
{
    internal const uint EpollIn = 0x001;
    internal const uint EpollOut = 0x004;
    internal const uint EpollErr = 0x008;
    internal const uint EpollHup = 0x010;
    internal const uint EpollRdHup = 0x2000;
    internal const uint EpollEdgeTriggered = 1u << 31;

    internal const int EpollCtlAdd = 1;
    internal const int EpollCtlDel = 2;
    internal const int EpollCloexec = 0x80000;

    internal const int EfdCloexec = 0x80000;
    internal const int EfdNonBlock = 0x800;

    internal const int MsgDontWait = 0x40;
    internal const int MsgNoSignal = 0x4000;

    internal const int SockNonBlock = 0x800;
    internal const int SockCloexec = 0x80000;

    internal const int SolSocket = 1;
    internal const int SoLinger = 13;
    internal const int IpProtoTcp = 6;
    internal const int TcpNoDelay = 1;
    internal const int TcpDeferAccept = 9;
    internal const int ShutWr = 1;

    internal const int EIntr = 4;
    internal const int EAgain = 11;
    internal const int ENoMem = 12;
    internal const int ENFile = 23;
    internal const int EMFile = 24;
    internal const int EConnAborted = 103;
    internal const int ENoBufs = 105;
    internal const int ENotConn = 107;

    /// <summary>Bytes per <c>struct epoll_event</c>: 12 where the kernel packs it (x86, x86-64), else 16.</summary>
    internal static readonly int EventSize =
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    /// <summary>Offset of <c>data</c> in <c>struct epoll_event</c>.</summary>
    internal static readonly int EventDataOffset = EventSize == 12 ? 4 : 8;

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    internal static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    internal static partial int EpollCtl(int epollFd, int operation, int fd, byte* epollEvent);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    internal static partial int EpollWait(int epollFd, byte* events, int maxEvents, int timeout);

    [LibraryImport("libc", EntryPoint = "eventfd", SetLastError = true)]
    internal static partial int EventFd(uint initialValue, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(int fd, void* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "recv", SetLastError = true)]
    internal static partial nint Recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "send", SetLastError = true)]
    internal static partial nint Send(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", EntryPoint = "accept4", SetLastError = true)]
    internal static partial int Accept4(int fd, byte* address, int* addressLength, int flags);

    [LibraryImport("libc", EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int fd, int how);

    [LibraryImport("libc", EntryPoint = "setsockopt", SetLastError = true)]
    internal static partial int SetSockOpt(int fd, int level, int name, void* value, int length);

    [LibraryImport("libc", EntryPoint = "getsockname", SetLastError = true)]
    internal static partial int GetSockName(int fd, byte* address, int* addressLength);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary>Writes one <c>struct epoll_event</c> at <paramref name="target"/>.</summary>
    internal static void WriteEvent(byte* target, uint events, ulong data)
    {
        *(uint*)target = events;

        // Packed on x86: data starts at offset 4.
        Unsafe.WriteUnaligned(target + EventDataOffset, data);
    }

    internal static uint EventsAt(byte* events, int index) => *(uint*)(events + (index * EventSize));

    internal static ulong DataAt(byte* events, int index) => Unsafe.ReadUnaligned<ulong>(events + (index * EventSize) + EventDataOffset);

    /// <summary>The <see cref="SocketError"/> the runtime reports for an <c>errno</c> from <c>recv</c>, <c>send</c> or <c>accept4</c>.</summary>
    internal static SocketError ToSocketError(int errno) => errno switch
    {
        EAgain => SocketError.WouldBlock,
        EIntr => SocketError.Interrupted,
        9 => SocketError.OperationAborted, // EBADF: closed under us
        ENoMem or ENoBufs => SocketError.NoBufferSpaceAvailable,
        ENFile or EMFile => SocketError.TooManyOpenSockets,
        32 => SocketError.Shutdown, // EPIPE
        103 => SocketError.ConnectionAborted,
        104 => SocketError.ConnectionReset,
        ENotConn => SocketError.NotConnected,
        110 => SocketError.TimedOut,
        113 => SocketError.HostUnreachable,
        _ => SocketError.SocketError,
    };
}
