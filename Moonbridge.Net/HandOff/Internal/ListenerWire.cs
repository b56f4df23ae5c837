using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// The listener hand-over protocol on its Unix socket. The old process (which listens there) sends an
/// 8-byte header (<c>MBRL</c>, version, listener count), then per listener a frame: a 2-byte length and
/// the listener's identity in UTF-8, with the listening descriptor attached to the frame's first byte.
/// The new process answers one byte, <see cref="Ready"/>, once it accepts on the sockets it adopted.
/// Every read takes exactly one header or frame part, so no read spans two descriptor-carrying messages.
/// </summary>
internal static class ListenerWire
{
    internal const byte Ready = 0x06;
    internal const ushort Version = 1;
    internal const int HeaderLength = 8;
    internal const int MaxIdentityLength = 4096;
    private static ReadOnlySpan<byte> Magic => "MBRL"u8;

    internal static byte[] Header(int count)
    {
        byte[] header = new byte[HeaderLength];
        Magic.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), checked((ushort)count));
        return header;
    }

    /// <summary>Checks a header and returns the listener count.</summary>
    internal static int ParseHeader(ReadOnlySpan<byte> header)
    {
        if (!header[..4].SequenceEqual(Magic) || BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) != Version)
        {
            throw new HandOffException("The restart socket did not answer with a listener hand-over (wrong magic or version).");
        }

        return BinaryPrimitives.ReadUInt16LittleEndian(header[6..]);
    }

    internal static byte[] Frame(string identity)
    {
        int length = Encoding.UTF8.GetByteCount(identity);
        byte[] frame = new byte[2 + length];
        BinaryPrimitives.WriteUInt16LittleEndian(frame, checked((ushort)length));
        Encoding.UTF8.GetBytes(identity, frame.AsSpan(2));
        return frame;
    }

    /// <summary>
    /// Receives exactly <paramref name="buffer"/>.Length bytes from a blocking-mode socket, collecting
    /// any descriptors into <paramref name="fds"/>; end of stream or the deadline throws.
    /// </summary>
    internal static void ReceiveExactly(Socket socket, Span<byte> buffer, List<int> fds, DateTime deadline)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int waitMicroseconds = (int)Math.Clamp((deadline - DateTime.UtcNow).TotalMicroseconds, 0, int.MaxValue);
            if (waitMicroseconds == 0 || !socket.Poll(waitMicroseconds, SelectMode.SelectRead))
            {
                throw new HandOffException("The old process did not send its listeners in time.");
            }

            int received = FdTransport.ReceiveWithDescriptors(socket.SafeHandle, buffer[filled..], fds);
            if (received == 0)
            {
                throw new HandOffException("The old process closed the restart socket during the listener hand-over.");
            }

            if (received > 0)
            {
                filled += received;
            }
        }
    }
}
