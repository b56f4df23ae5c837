using System.Net.Sockets;

namespace Moonbridge.Net.IO;

/// <summary>
/// The outcome of a write or flush. <see cref="Pending"/> is what Lua's <c>write_nb</c>/<c>flush_nb</c>
/// return: the bytes not yet handed to the operating system (0 when none; a write that never blocked
/// reports 0 even if a small portion is still held back for coalescing).
/// </summary>
public readonly record struct IoWriteResult(long Pending, SocketError Error = SocketError.Success)
{
    /// <summary>True when the operation failed with an I/O error. Write errors are sticky.</summary>
    public bool IsError => Error != SocketError.Success;

    internal static IoWriteResult Failed(SocketError error) => new(0, error);
}
