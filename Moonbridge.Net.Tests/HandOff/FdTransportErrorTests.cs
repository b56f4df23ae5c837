using System.Net.Sockets;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// <c>sendmsg</c>/<c>recvmsg</c> with descriptors when the other end is gone, the socket is full or empty,
/// the message carries more descriptors than a hand-off does, or the descriptor is not a socket.
/// </summary>
[Platform("Linux")]
public sealed class FdTransportErrorTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task SendingToAClosedPeerThrowsAndSendsNothing(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiver) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        {
            receiver.Dispose();

            Assert.That(
                () => FdTransport.SendWithDescriptor(sender.SafeHandle, [1], (int)sender.Handle),
                Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.Shutdown));
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task SendingOnAFullSocketReportsThatItWouldBlock(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiver) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (receiver)
        {
            sender.Blocking = false;
            byte[] chunk = new byte[64 * 1024];
            while (sender.Send(chunk, 0, chunk.Length, SocketFlags.None, out SocketError error) > 0 || error != SocketError.WouldBlock)
            {
                Assert.That(error, Is.EqualTo(SocketError.Success));
            }

            Assert.That(FdTransport.SendWithDescriptor(sender.SafeHandle, [1], (int)sender.Handle), Is.EqualTo(-1));
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ReceivingFromAnEmptySocketReportsNothingYetAndAtItsEndZero(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiver) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (receiver)
        {
            var fds = new List<int>();
            Assert.That(FdTransport.ReceiveWithDescriptors(receiver.SafeHandle, new byte[4], fds), Is.EqualTo(-1));

            sender.Dispose();
            Assert.That(FdTransport.ReceiveWithDescriptors(receiver.SafeHandle, new byte[4], fds), Is.Zero);
            Assert.That(fds, Is.Empty);
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AMessageWithMoreDescriptorsThanAHandOffCarriesIsRefusedAfterCollectingThoseThatArrived(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiver) = await UnixStreamPair.ConnectAsync(cancellationToken);
        (Socket carried, Socket carriedPeer) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (receiver)
        using (carriedPeer)
        {
            using (carried)
            {
                Assert.That(DescriptorMessage.Send(sender, [7], [.. Enumerable.Repeat((int)carried.Handle, 9)]), Is.EqualTo(1));
            }

            var fds = new List<int>();
            Assert.That(
                () => FdTransport.ReceiveWithDescriptors(receiver.SafeHandle, new byte[4], fds),
                Throws.TypeOf<HandOffException>().With.Message.Contains("truncated"));
            Assert.That(fds, Has.Count.EqualTo(8), "the descriptors that fit arrived, for the caller to close");
            fds.ForEach(Native.CloseQuietly);

            // Every copy of the carried socket is closed: the ninth never arrived, the kernel closed it.
            byte[] end = new byte[1];
            Assert.That(await carriedPeer.ReceiveAsync(end, SocketFlags.None, cancellationToken), Is.Zero);
        }
    }

    [Test]
    public void ReceivingFromADescriptorThatIsNoSocketThrows()
    {
        using var temp = new TempDirectory();
        using Microsoft.Win32.SafeHandles.SafeFileHandle file = File.OpenHandle(temp.File("plain"), FileMode.CreateNew, FileAccess.ReadWrite);

        Assert.That(
            () => FdTransport.ReceiveWithDescriptors(file, new byte[4], []),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.NotSocket));
        Assert.That(
            () => FdTransport.SendWithDescriptor(file, [1], (int)file.DangerousGetHandle()),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.NotSocket));
    }
}
