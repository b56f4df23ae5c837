using System.Net.Sockets;

namespace Moonbridge.Net.IO;

/// <summary>
/// The outcome of a read or drain into a caller-supplied buffer: how it ended, how many bytes were
/// read (or discarded), and the socket error when <see cref="Status"/> is <see cref="IoStatus.Error"/>.
/// </summary>
public readonly record struct IoReadResult(IoStatus Status, long Count, SocketError Error = SocketError.Success)
{
    /// <summary>True when the operation failed with an I/O error.</summary>
    public bool IsError => Status == IoStatus.Error;
}
