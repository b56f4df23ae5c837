using System.Net;
using System.Net.Sockets;

namespace Moonbridge.Net.IO;

public sealed partial class MoonSocket
{
    /// <summary>
    /// The local endpoint (an <see cref="IPEndPoint"/> for TCP, a Unix endpoint for local sockets). A socket
    /// from <c>TcpConnectNb</c> or <c>LocalConnectNb</c> has one once its connection is established; null before.
    /// </summary>
    public EndPoint? LocalEndPoint => _localEndPoint ??= _connection?.EstablishedLocalEndPoint;

    /// <summary>The peer's endpoint (an <see cref="IPEndPoint"/> for TCP).</summary>
    public EndPoint? RemoteEndPoint => _remoteEndPoint ??= _peer.ToEndPoint();

    /// <summary>
    /// Local IPv4 address as text, e.g. <c>"127.0.0.1"</c> (Lua <c>local_ip4</c>; the original returns
    /// text, not the raw bytes its manual describes). Also set for IPv4-mapped addresses on dual-mode sockets.
    /// </summary>
    public string? LocalIp4 => Ip4(LocalEndPoint);

    /// <summary>Local IPv6 address as text (Lua <c>local_ip6</c>), or null for IPv4 and Unix sockets.</summary>
    public string? LocalIp6 => Ip6(LocalEndPoint);

    /// <summary>Local TCP port (Lua <c>local_tcpport</c>), or null for Unix sockets.</summary>
    public int? LocalTcpPort => (LocalEndPoint as IPEndPoint)?.Port;

    /// <summary>Peer IPv4 address as text (Lua <c>remote_ip4</c>); see <see cref="LocalIp4"/>.</summary>
    public string? RemoteIp4 => Ip4(RemoteEndPoint);

    /// <summary>Peer IPv6 address as text (Lua <c>remote_ip6</c>), or null for IPv4 and Unix sockets.</summary>
    public string? RemoteIp6 => Ip6(RemoteEndPoint);

    /// <summary>Peer TCP port (Lua <c>remote_tcpport</c>), or null for Unix sockets.</summary>
    public int? RemoteTcpPort => (RemoteEndPoint as IPEndPoint)?.Port;

    private static string? Ip4(EndPoint? endPoint) => endPoint is IPEndPoint { Address: var address } ip
        ? address.AddressFamily == AddressFamily.InterNetwork ? address.ToString()
        : address.IsIPv4MappedToIPv6 ? address.MapToIPv4().ToString()
        : null
        : null;

    private static string? Ip6(EndPoint? endPoint) => endPoint is IPEndPoint { Address: { AddressFamily: AddressFamily.InterNetworkV6 } address }
        ? address.ToString()
        : null;
}
