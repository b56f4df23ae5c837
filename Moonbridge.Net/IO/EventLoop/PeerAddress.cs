using System.Buffers.Binary;
using System.Net;
using System.Runtime.InteropServices;

namespace Moonbridge.Net.IO.EventLoop;

/// <summary>
/// A connection's peer as <c>accept4</c> gave it: an IPv4 address and port kept as numbers, so a connection costs no
/// address objects until someone asks for its endpoint (most never do, and an idle connection is then that much
/// smaller); any other family as the endpoint itself.
/// </summary>
internal readonly struct PeerAddress
{
    private const ushort AfInet = 2;

    private readonly IPEndPoint? _endPoint;
    private readonly uint _ip4; // the address bytes in network order, as IPAddress(long) takes them
    private readonly ushort _port;
    private readonly bool _isIp4;

    private PeerAddress(uint ip4, ushort port)
    {
        _ip4 = ip4;
        _port = port;
        _isIp4 = true;
    }

    private PeerAddress(IPEndPoint? endPoint) => _endPoint = endPoint;

    /// <summary>A <c>struct sockaddr</c> of <paramref name="length"/> bytes.</summary>
    internal static unsafe PeerAddress FromSockaddr(byte* address, int length)
    {
        ReadOnlySpan<byte> raw = new(address, length);
        return raw.Length >= 8 && MemoryMarshal.Read<ushort>(raw) == AfInet
            ? new PeerAddress(MemoryMarshal.Read<uint>(raw[4..]), BinaryPrimitives.ReadUInt16BigEndian(raw[2..]))
            : new PeerAddress(LoopSocketHandle.ToEndPoint(address, length));
    }

    /// <summary>The endpoint, made on each call for IPv4: callers keep it.</summary>
    public IPEndPoint? ToEndPoint() => _isIp4 ? new IPEndPoint(new IPAddress(_ip4), _port) : _endPoint;
}
