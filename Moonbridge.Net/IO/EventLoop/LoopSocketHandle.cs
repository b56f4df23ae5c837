using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// The descriptor of a connection an event loop accepted itself, with no runtime <see cref="Socket"/> around it:
/// wrapping one costs eight system calls (the runtime asks the descriptor for its family, type, protocol, flags and
/// both addresses), and closing it through the runtime's handle turns on an abortive linger first. The few socket
/// calls such a connection needs (no-delay, half-close, reset, its local address) are made here.
/// </summary>
internal sealed unsafe class LoopSocketHandle : SafeHandle
{
    /// <summary>Room for any <c>struct sockaddr</c> a TCP socket has (<c>sockaddr_in6</c> is 28 bytes).</summary>
    internal const int AddressCapacity = 128;

    internal LoopSocketHandle(int fd)
        : base(-1, ownsHandle: true)
        => SetHandle(fd);

    public override bool IsInvalid => handle < 0;

    /// <summary>Turns off Nagle's algorithm, as for every TCP connection the server accepts.</summary>
    internal void SetNoDelay()
    {
        int on = 1;
        _ = SetOption(EpollInterop.IpProtoTcp, EpollInterop.TcpNoDelay, &on, sizeof(int));
    }

    /// <summary>Makes the close an RST (linger on, zero seconds), as Lua's <c>reset()</c> does.</summary>
    internal void SetAbortiveClose()
    {
        // struct linger { int l_onoff; int l_linger; }
        int* linger = stackalloc int[] { 1, 0 };
        _ = SetOption(EpollInterop.SolSocket, EpollInterop.SoLinger, linger, 2 * sizeof(int));
    }

    /// <summary>Sends the FIN; throws <see cref="SocketException"/> as <see cref="Socket.Shutdown"/> does (not for a connection the peer already reset).</summary>
    internal void ShutdownSend()
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
            // A peer that reset the connection first leaves it unconnected: the runtime's Shutdown ignores that too.
            if (EpollInterop.Shutdown((int)handle, EpollInterop.ShutWr) != 0 && Marshal.GetLastPInvokeError() is int errno && errno != EpollInterop.ENotConn)
            {
                throw new SocketException((int)EpollInterop.ToSocketError(errno));
            }
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>The local address (<c>getsockname</c>); null once closed or when the kernel refuses.</summary>
    internal EndPoint? GetLocalEndPoint()
    {
        byte* address = stackalloc byte[AddressCapacity];
        int length = AddressCapacity;
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
            return EpollInterop.GetSockName((int)handle, address, &length) == 0 ? ToEndPoint(address, length) : null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }

    /// <summary>An IPv4 or IPv6 <c>struct sockaddr</c> as an <see cref="IPEndPoint"/>; null for any other family.</summary>
    internal static IPEndPoint? ToEndPoint(byte* address, int length)
    {
        const ushort afInet = 2;
        const ushort afInet6 = 10;
        ReadOnlySpan<byte> raw = new(address, length);
        if (raw.Length < 2)
        {
            return null;
        }

        ushort family = MemoryMarshal.Read<ushort>(raw);
        if (family == afInet && raw.Length >= 8)
        {
            return new IPEndPoint(new IPAddress(raw.Slice(4, 4)), BinaryPrimitives.ReadUInt16BigEndian(raw[2..]));
        }

        if (family == afInet6 && raw.Length >= 28)
        {
            uint scope = MemoryMarshal.Read<uint>(raw[24..]);
            return new IPEndPoint(new IPAddress(raw.Slice(8, 16), scope), BinaryPrimitives.ReadUInt16BigEndian(raw[2..]));
        }

        return null;
    }

    protected override bool ReleaseHandle() => EpollInterop.Close((int)handle) == 0;

    /// <summary>One <c>setsockopt</c> with the handle held, so a close on another thread cannot reuse the number mid-call; false when it failed or the handle is closed.</summary>
    private bool SetOption(int level, int name, void* value, int length)
    {
        bool added = false;
        try
        {
            DangerousAddRef(ref added);
            return EpollInterop.SetSockOpt((int)handle, level, name, value, length) == 0;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                DangerousRelease();
            }
        }
    }
}
