using System.IO.Pipes;
using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// A received descriptor that cannot become the socket it should be is closed, not leaked: each test
/// hands over its own copy of a descriptor and then sees, from the other end, that no copy is left.
/// </summary>
[Platform("Linux")]
public sealed class AdoptionFailureTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ADescriptorThatIsNoSocketIsNoListenerToInheritAndIsClosed(CancellationToken cancellationToken)
    {
        using var pipe = new AnonymousPipeServerStream(PipeDirection.In);
        int writeEnd = Duplicate((int)pipe.ClientSafePipeHandle.DangerousGetHandle());
        pipe.DisposeLocalCopyOfClientHandle();

        Assert.That(
            () => Adoption.AdoptListening(writeEnd),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.NotSocket));
        Assert.That(await pipe.ReadAsync(new byte[1], cancellationToken), Is.Zero, "the pipe's last write end was closed");
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AConnectedSocketIsNoListenerToInheritAndIsClosed(CancellationToken cancellationToken)
    {
        (Socket connected, Socket peer) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (peer)
        {
            int copy;
            using (connected)
            {
                copy = Duplicate((int)connected.Handle);
            }

            Assert.That(() => Adoption.AdoptListening(copy), Throws.TypeOf<HandOffException>().With.Message.Contains("not a listening socket"));
            Assert.That(await peer.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken), Is.Zero, "no copy of the connected socket is left open");
        }
    }

    [Test]
    public void ADatagramSocketIsNoConnectionToAdoptAndIsClosed()
    {
        (int port, int copy) = BindAndDuplicate(new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp), listen: false);

        // The copy still holds the port, until the failed adoption closes it.
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            Assert.That(() => probe.Bind(new IPEndPoint(IPAddress.Loopback, port)), Throws.TypeOf<SocketException>());
        }

        Assert.That(() => Adoption.Adopt(copy, ReadOnlyMemory<byte>.Empty), Throws.TypeOf<HandOffException>().With.Message.Contains("not a connected stream socket"));
        using var again = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        Assert.That(() => again.Bind(new IPEndPoint(IPAddress.Loopback, port)), Throws.Nothing, "the port is free again");
    }

    [Test]
    public void AListeningSocketIsNoConnectionToAdoptAndIsClosed()
    {
        (int port, int copy) = BindAndDuplicate(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp), listen: true);

        Assert.That(() => Adoption.Adopt(copy, ReadOnlyMemory<byte>.Empty), Throws.TypeOf<HandOffException>().With.Message.Contains("not a connected stream socket"));
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        Assert.That(() => client.Connect(new IPEndPoint(IPAddress.Loopback, port)), Throws.TypeOf<SocketException>(), "no copy of the listening socket is left to accept");
    }

    /// <summary>Binds <paramref name="socket"/> to a loopback port (listening if asked) and closes it, keeping only a copy of its descriptor.</summary>
    private static (int Port, int Copy) BindAndDuplicate(Socket socket, bool listen)
    {
        using (socket)
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            if (listen)
            {
                socket.Listen();
            }

            return (((IPEndPoint)socket.LocalEndPoint!).Port, Duplicate((int)socket.Handle));
        }
    }

    /// <summary>A close-on-exec copy of <paramref name="fd"/> that the test owns.</summary>
    private static int Duplicate(int fd)
    {
        int copy = Native.Fcntl(fd, Native.FDupFdCloexec, 3);
        Assert.That(copy, Is.GreaterThanOrEqualTo(0), "fcntl(F_DUPFD_CLOEXEC)");
        return copy;
    }
}
