using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.HandOff.Internal;

/// <summary>
/// The hand-off message on the channel: a fixed header (magic, version, lengths), the metadata record,
/// then the bytes the sender had already read from the connection. The descriptor rides on the first
/// byte of the header. The receiver answers every complete message with one acknowledgement byte.
/// </summary>
internal static class WireFormat
{
    internal const int HeaderLength = 16;
    internal const uint Magic = 0x4F48424D; // "MBHO" little-endian
    internal const ushort Version = 1;
    internal const int MaxMetadataLength = 16 * 1024;
    internal const int MaxTagBytes = 4096;
    internal const byte Ack = 0x06;

    private const byte FlagResponseStarted = 1;
    private const byte EndPointNone = 0;
    private const byte EndPointIPv4 = 1;
    private const byte EndPointIPv6 = 2;
    private const byte EndPointUnix = 3;

    internal static void WriteHeader(Span<byte> header, int metadataLength, int pendingLength)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, Magic);
        BinaryPrimitives.WriteUInt16LittleEndian(header[4..], Version);
        BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(header[8..], metadataLength);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], pendingLength);
    }

    /// <summary>Checks a received header; returns the metadata and pending lengths.</summary>
    internal static (int MetadataLength, int PendingLength) ReadHeader(ReadOnlySpan<byte> header, int maxPending)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic)
        {
            throw new HandOffException("The peer does not speak the hand-off protocol (bad magic).");
        }

        if (BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) != Version)
        {
            throw new HandOffException("The peer speaks another version of the hand-off protocol.");
        }

        int metadata = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int pending = BinaryPrimitives.ReadInt32LittleEndian(header[12..]);
        if (metadata is < 0 or > MaxMetadataLength || pending < 0 || pending > maxPending)
        {
            throw new HandOffException($"A hand-off message exceeds the limits (metadata {metadata} bytes, pending {pending} bytes).");
        }

        return (metadata, pending);
    }

    internal static void WriteMetadata(ArrayBufferWriter<byte> writer, HandOffInfo info)
    {
        Span<byte> fixedPart = writer.GetSpan(5);
        fixedPart[0] = info.ResponseStarted ? FlagResponseStarted : (byte)0;
        BinaryPrimitives.WriteInt32LittleEndian(fixedPart[1..], info.RequestHeadLength);
        writer.Advance(5);
        WriteEndPoint(writer, info.LocalEndPoint);
        WriteEndPoint(writer, info.RemoteEndPoint);
        WriteString(writer, info.Tag, MaxTagBytes);
    }

    internal static HandOffInfo ReadMetadata(ReadOnlySpan<byte> data)
    {
        try
        {
            byte flags = data[0];
            int headLength = BinaryPrimitives.ReadInt32LittleEndian(data[1..]);
            data = data[5..];
            EndPoint? local = ReadEndPoint(ref data);
            EndPoint? remote = ReadEndPoint(ref data);
            string? tag = ReadString(ref data);
            if (headLength < 0)
            {
                throw new HandOffException("A hand-off message has a negative request head length.");
            }

            return new HandOffInfo
            {
                ResponseStarted = (flags & FlagResponseStarted) != 0,
                RequestHeadLength = headLength,
                LocalEndPoint = local,
                RemoteEndPoint = remote,
                Tag = tag,
            };
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or ArgumentException or FormatException)
        {
            throw new HandOffException("A hand-off message carries malformed metadata.", e);
        }
    }

    private static void WriteEndPoint(ArrayBufferWriter<byte> writer, EndPoint? endPoint)
    {
        switch (endPoint)
        {
            case IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetwork:
            {
                Span<byte> span = writer.GetSpan(7);
                span[0] = EndPointIPv4;
                ip.Address.TryWriteBytes(span[1..5], out _);
                BinaryPrimitives.WriteUInt16LittleEndian(span[5..], (ushort)ip.Port);
                writer.Advance(7);
                break;
            }

            case IPEndPoint ip when ip.AddressFamily == AddressFamily.InterNetworkV6:
            {
                Span<byte> span = writer.GetSpan(27);
                span[0] = EndPointIPv6;
                ip.Address.TryWriteBytes(span[1..17], out _);
                BinaryPrimitives.WriteUInt64LittleEndian(span[17..], (ulong)ip.Address.ScopeId);
                BinaryPrimitives.WriteUInt16LittleEndian(span[25..], (ushort)ip.Port);
                writer.Advance(27);
                break;
            }

            case UnixDomainSocketEndPoint unix:
                writer.GetSpan(1)[0] = EndPointUnix;
                writer.Advance(1);
                WriteString(writer, UnixPath(unix), 4096);
                break;
            default:
                writer.GetSpan(1)[0] = EndPointNone;
                writer.Advance(1);
                break;
        }
    }

    /// <summary>The path the endpoint was made from: an abstract name keeps its leading NUL, which ToString shows as '@'.</summary>
    private static string UnixPath(UnixDomainSocketEndPoint unix)
    {
        string text = unix.ToString();
        SocketAddress address = unix.Serialize();
        return address.Size > 2 && address[2] == 0 && text.Length > 0 ? "\0" + text[1..] : text;
    }

    private static EndPoint? ReadEndPoint(ref ReadOnlySpan<byte> data)
    {
        byte kind = data[0];
        data = data[1..];
        switch (kind)
        {
            case EndPointNone:
                return null;
            case EndPointIPv4:
            {
                var address = new IPAddress(data[..4]);
                int port = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
                data = data[6..];
                return new IPEndPoint(address, port);
            }

            case EndPointIPv6:
            {
                long scope = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[16..]);
                var address = new IPAddress(data[..16], scope);
                int port = BinaryPrimitives.ReadUInt16LittleEndian(data[24..]);
                data = data[26..];
                return new IPEndPoint(address, port);
            }

            case EndPointUnix:
            {
                string? path = ReadString(ref data);
                return string.IsNullOrEmpty(path) ? null : new UnixDomainSocketEndPoint(path);
            }

            default:
                throw new FormatException($"Unknown endpoint kind {kind}.");
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string? text, int maxBytes)
    {
        if (text is null)
        {
            BinaryPrimitives.WriteInt32LittleEndian(writer.GetSpan(4), -1);
            writer.Advance(4);
            return;
        }

        int count = Encoding.UTF8.GetByteCount(text);
        if (count > maxBytes)
        {
            throw new ArgumentException($"A hand-off text field is limited to {maxBytes} UTF-8 bytes.", nameof(text));
        }

        Span<byte> span = writer.GetSpan(4 + count);
        BinaryPrimitives.WriteInt32LittleEndian(span, count);
        Encoding.UTF8.GetBytes(text, span[4..]);
        writer.Advance(4 + count);
    }

    private static string? ReadString(ref ReadOnlySpan<byte> data)
    {
        int count = BinaryPrimitives.ReadInt32LittleEndian(data);
        data = data[4..];
        if (count < 0)
        {
            return null;
        }

        string text = Encoding.UTF8.GetString(data[..count]);
        data = data[count..];
        return text;
    }
}
