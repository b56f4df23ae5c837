using System.Net;
using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>Connecting, sending and receiving on the plain peer socket, each call bounded by the test's token.</summary>
internal static class PeerSocketExtensions
{
    /// <summary>A plain TCP socket connected to <paramref name="listener"/> over IPv4 loopback (not yet accepted).</summary>
    public static async Task<Socket> ConnectPeerAsync(this MoonListener listener, CancellationToken cancellationToken)
    {
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await peer.ConnectAsync(new IPEndPoint(IPAddress.Loopback, listener.Port!.Value), cancellationToken);
            return peer;
        }
        catch
        {
            peer.Dispose();
            throw;
        }
    }

    /// <summary>Sends all of <paramref name="text"/> as UTF-8.</summary>
    public static Task SendTextAsync(this Socket peer, string text, CancellationToken cancellationToken)
        => peer.SendAllAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Sends all of <paramref name="data"/>.</summary>
    public static async Task SendAllAsync(this Socket peer, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await peer.SendAsync(data, SocketFlags.None, cancellationToken);
            data = data[sent..];
        }
    }

    /// <summary>Receives exactly <paramref name="count"/> bytes; fails if the stream ends first.</summary>
    public static async Task<byte[]> ReceiveExactlyAsync(this Socket peer, int count, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[count];
        int filled = 0;
        while (filled < count)
        {
            int received = await peer.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                throw new EndOfStreamException($"The stream ended after {filled} of {count} bytes.");
            }

            filled += received;
        }

        return buffer;
    }

    /// <summary>Receives until the other side ends its output, and returns everything as UTF-8 text.</summary>
    public static async Task<string> ReceiveTextToEndAsync(this Socket peer, CancellationToken cancellationToken)
    {
        using var all = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        while (true)
        {
            int received = await peer.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
            if (received == 0)
            {
                return Encoding.UTF8.GetString(all.GetBuffer(), 0, (int)all.Length);
            }

            all.Write(buffer, 0, received);
        }
    }
}
