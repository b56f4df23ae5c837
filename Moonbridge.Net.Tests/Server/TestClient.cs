using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Tests.Server;

/// <summary>How a client's connection ended: the data received before the end, and whether it was a reset.</summary>
internal readonly record struct ClientEnd(string Data, bool Reset);

/// <summary>Plain <see cref="Socket"/> client helpers; every call is bounded by the caller's token.</summary>
internal static class TestClient
{
    public static async Task<Socket> ConnectAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        ProtocolType protocol = endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp;
        var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, protocol);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public static Task<Socket> ConnectAsync(int port, CancellationToken cancellationToken)
        => ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);

    public static async Task SendAsync(Socket socket, string text, CancellationToken cancellationToken)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        int sent = 0;
        while (sent < bytes.Length)
        {
            sent += await socket.SendAsync(bytes.AsMemory(sent), SocketFlags.None, cancellationToken);
        }
    }

    /// <summary>Reads up to and including the next newline (or to end of input); returns the text without the newline, or null at end of input with nothing read.</summary>
    public static async Task<string?> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new List<byte>();
        byte[] one = new byte[1];
        while (true)
        {
            int read = await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken);
            if (read == 0)
            {
                return line.Count == 0 ? null : Encoding.UTF8.GetString([.. line]);
            }

            if (one[0] == (byte)'\n')
            {
                return Encoding.UTF8.GetString([.. line]);
            }

            line.Add(one[0]);
        }
    }

    /// <summary>Reads until the server ends the connection, by a clean close or a reset.</summary>
    public static async Task<ClientEnd> ReadToEndAsync(Socket socket, CancellationToken cancellationToken)
    {
        var data = new MemoryStream();
        byte[] buffer = new byte[4096];
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    return new ClientEnd(Encoding.UTF8.GetString(data.ToArray()), Reset: false);
                }

                data.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted)
        {
            return new ClientEnd(Encoding.UTF8.GetString(data.ToArray()), Reset: true);
        }
    }

    /// <summary>Connects, sends one line, and reads the reply line back.</summary>
    public static async Task<string?> RoundTripAsync(EndPoint endPoint, string line, CancellationToken cancellationToken)
    {
        using Socket socket = await ConnectAsync(endPoint, cancellationToken);
        await SendAsync(socket, line + "\n", cancellationToken);
        return await ReadLineAsync(socket, cancellationToken);
    }
}
