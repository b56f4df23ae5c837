using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.IO;

/// <summary>
/// The outcome of a convenience read: the bytes read as a new array, and how the read ended.
/// Use the overloads taking an <see cref="System.Buffers.IBufferWriter{T}"/> for an allocation-free path.
/// </summary>
public readonly record struct IoData(byte[] Data, IoStatus Status, SocketError Error = SocketError.Success)
{
    /// <summary>The data decoded as UTF-8.</summary>
    public string Text => Encoding.UTF8.GetString(Data);

    /// <summary>True when the read failed with an I/O error.</summary>
    public bool IsError => Status == IoStatus.Error;
}
