using System.Net;
using System.Net.Sockets;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>
/// One loopback TCP connection: <see cref="Server"/> is the accepted end, handed to whatever is measured;
/// the client end is read on its own thread, which discards everything the server sends, so the server's
/// sends never block for long.
/// </summary>
internal sealed class LoopbackPeer : IDisposable
{
    private readonly Socket _client;
    private readonly Thread _drain;
    private long _received;

    public LoopbackPeer()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        _client.Connect(listener.LocalEndPoint!);
        Server = listener.Accept();
        Server.NoDelay = true;
        _drain = new Thread(Drain) { IsBackground = true, Name = "loopback drain" };
        _drain.Start();
    }

    public Socket Server { get; }

    /// <summary>Bytes the client end has read so far.</summary>
    public long Received => Volatile.Read(ref _received);

    /// <summary>Sends from the client end (a request, or body bytes) to the server end.</summary>
    public void SendToServer(ReadOnlySpan<byte> data) => _client.Send(data);

    public void Dispose()
    {
        Server.Dispose();
        _client.Dispose();
        _drain.Join(TimeSpan.FromSeconds(5));
    }

    private void Drain()
    {
        byte[] buffer = new byte[256 * 1024];
        try
        {
            int read;
            while ((read = _client.Receive(buffer)) > 0)
            {
                Interlocked.Add(ref _received, read);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
