using System.Globalization;
using System.Net.Sockets;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// Who is on the other end of a connected Unix socket (<c>SO_PEERCRED</c>). For the connecting side
/// these are the credentials of the process that called <c>listen</c>: whoever bound a rendezvous path
/// first, not whoever was meant to.
/// </summary>
internal static class PeerCredentials
{
    /// <summary>The peer's process id and user id, or null when the kernel does not say.</summary>
    internal static (int ProcessId, uint UserId)? Read(Socket socket)
    {
        Span<byte> credentials = stackalloc byte[12]; // struct ucred: pid, uid, gid
        try
        {
            int length = socket.GetRawSocketOption(Native.SolSocket, Native.SoPeerCred, credentials);
            return length >= 8 ? (BitConverter.ToInt32(credentials), BitConverter.ToUInt32(credentials[4..])) : null;
        }
        catch (SocketException)
        {
            return null;
        }
    }

    /// <summary>The peer's user id, or null when the kernel does not say.</summary>
    internal static uint? UserId(Socket socket) => Read(socket)?.UserId;

    /// <summary>Whether <paramref name="peerUserId"/> is this process's effective user or one of <paramref name="allowedUserIds"/>.</summary>
    internal static bool IsTrusted(uint? peerUserId, IReadOnlyCollection<uint>? allowedUserIds)
        => peerUserId is { } uid && (uid == Native.GetEffectiveUserId() || (allowedUserIds?.Contains(uid) ?? false));

    /// <summary>
    /// The user to name when refusing the peer of <paramref name="socket"/>: null when <see cref="IsTrusted"/> holds,
    /// else its user id, or "unknown" when the kernel does not say.
    /// </summary>
    internal static string? Untrusted(Socket socket, IReadOnlyCollection<uint>? allowedUserIds)
    {
        uint? peerUserId = UserId(socket);
        return IsTrusted(peerUserId, allowedUserIds) ? null : peerUserId?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
    }
}
