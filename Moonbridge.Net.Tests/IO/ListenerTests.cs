using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary><c>MoonListener</c>: accepting in three forms, and closing.</summary>
public sealed class ListenerTests
{
    [Test]
    public void AcceptNbReturnsNullWhenNoConnectionIsPending()
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);

        Assert.That(listener.AcceptNb(), Is.Null);
    }

    [Test]
    public void TcpListenOnPortZeroReportsTheRealPort()
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);

        Assert.That(listener.Port, Is.GreaterThan(0));
        Assert.That(listener.LocalEndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Loopback, listener.Port!.Value)));
        Assert.That(listener.Path, Is.Null);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AcceptReturnsAConnectedSocketThatExchangesData(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        using Socket client = await listener.ConnectPeerAsync(cancellationToken);

        using MoonSocket accepted = listener.Accept(); // the connection is already queued: this does not wait
        accepted.Flush("hello");
        byte[] greeting = await client.ReceiveExactlyAsync(5, cancellationToken);

        Assert.That(greeting, Is.EqualTo("hello"u8.ToArray()));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AcceptAsyncWaitsForAConnection(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        Task<MoonSocket> accepting = listener.AcceptAsync(cancellationToken).AsTask();
        using Socket client = await listener.ConnectPeerAsync(cancellationToken);
        using MoonSocket accepted = await accepting;

        Assert.That(accepted.RemoteTcpPort, Is.EqualTo(((IPEndPoint)client.LocalEndPoint!).Port));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ABacklogLongerThanOneLoopTurnTakesIsAcceptedWhole(CancellationToken cancellationToken)
    {
        // More than the 16 connections an event loop accepts in a row before it lets its other events go first.
        const int count = 40;
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        var clients = new List<Socket>();
        try
        {
            for (int i = 0; i < count; i++)
            {
                clients.Add(await listener.ConnectPeerAsync(cancellationToken));
            }

            var accepted = new List<MoonSocket>();
            for (int i = 0; i < count; i++)
            {
                MoonSocket socket = await listener.AcceptAsync(cancellationToken);
                accepted.Add(socket);
                await socket.FlushAsync($"{socket.RemoteTcpPort}\n", cancellationToken);
            }

            foreach (Socket client in clients)
            {
                string port = ((IPEndPoint)client.LocalEndPoint!).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                byte[] line = await client.ReceiveExactlyAsync(port.Length + 1, cancellationToken);
                Assert.That(System.Text.Encoding.ASCII.GetString(line), Is.EqualTo(port + "\n"));
            }

            accepted.ForEach(socket => socket.Dispose());
        }
        finally
        {
            clients.ForEach(client => client.Dispose());
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ACancelledAcceptTakesNoPendingConnection(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        using Socket client = await listener.ConnectPeerAsync(cancellationToken);

        await Assert.ThatAsync(async () => await listener.AcceptAsync(new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        using MoonSocket accepted = await listener.AcceptAsync(cancellationToken);

        Assert.That(accepted.RemoteTcpPort, Is.EqualTo(((IPEndPoint)client.LocalEndPoint!).Port));
    }

    [Test]
    public void AcceptAsyncOnAClosedListenerReportsItInTheTaskItReturns()
    {
        MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        listener.Close();

        ValueTask<MoonSocket> accepting = listener.AcceptAsync(); // a throw here fails the test

        Assert.That(accepting.IsFaulted, Is.True);
        Assert.That(async () => await accepting, Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    public void ClosingAListenerTwiceIsHarmlessButAcceptingThrows()
    {
        MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);

        listener.Close();

        Assert.That(() => listener.Close(), Throws.Nothing);
        Assert.That(listener.IsClosed, Is.True);
        Assert.That(() => listener.AcceptNb(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AClosedListenerRefusesConnections(CancellationToken cancellationToken)
    {
        MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        int port = listener.Port!.Value;
        listener.Close();
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        await Assert.ThatAsync(
            async () => await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused));
    }
}
