using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>The listener hand-over's header and frames, and its exact reads, over a real Unix socket.</summary>
[Platform("Linux")]
public sealed class ListenerWireTests
{
    [Test]
    public void AHeaderReadsBackItsCount()
    {
        Assert.That(ListenerWire.ParseHeader(ListenerWire.Header(3)), Is.EqualTo(3));
        Assert.That(ListenerWire.ParseHeader(ListenerWire.Header(ushort.MaxValue)), Is.EqualTo(ushort.MaxValue));
        Assert.That(() => ListenerWire.Header(ushort.MaxValue + 1), Throws.TypeOf<OverflowException>());
    }

    [Test]
    public void AHeaderWithAnotherMagicOrVersionIsRefused()
    {
        byte[] magic = ListenerWire.Header(1);
        magic[3] = (byte)'X';
        byte[] version = ListenerWire.Header(1);
        BinaryPrimitives.WriteUInt16LittleEndian(version.AsSpan(4), ListenerWire.Version + 1);

        Assert.That(() => ListenerWire.ParseHeader(magic), Throws.TypeOf<HandOffException>().With.Message.Contains("wrong magic or version"));
        Assert.That(() => ListenerWire.ParseHeader(version), Throws.TypeOf<HandOffException>().With.Message.Contains("wrong magic or version"));
    }

    [Test]
    public void AFrameIsTheUtf8LengthThenTheIdentity()
    {
        byte[] frame = ListenerWire.Frame("tcp ::1 80 #0 ✓");

        Assert.That(BinaryPrimitives.ReadUInt16LittleEndian(frame), Is.EqualTo(frame.Length - 2));
        Assert.That(Encoding.UTF8.GetString(frame.AsSpan(2)), Is.EqualTo("tcp ::1 80 #0 ✓"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AReceiveGathersBytesSentInPiecesAndTheDescriptorThatCameWithThem(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiver) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (receiver)
        using (var carried = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            byte[] frame = ListenerWire.Frame("local /run/a.sock #0");
            Assert.That(FdTransport.SendWithDescriptor(sender.SafeHandle, frame.AsSpan(0, 1), (int)carried.Handle), Is.EqualTo(1));
            await sender.SendAsync(frame.AsMemory(1), SocketFlags.None, cancellationToken);

            byte[] buffer = new byte[frame.Length];
            var fds = new List<int>();
            ListenerWire.ReceiveExactly(receiver, buffer, fds, DateTime.UtcNow + TestTimeouts.Wait);
            try
            {
                Assert.That(buffer, Is.EqualTo(frame));
                Assert.That(fds, Has.Count.EqualTo(1));
            }
            finally
            {
                fds.ForEach(Native.CloseQuietly);
            }
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AReceivePastItsDeadlineFails(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiver) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (receiver)
        {
            await sender.SendAsync(new byte[] { 1, 2 }, SocketFlags.None, cancellationToken);

            Assert.That(
                () => ListenerWire.ReceiveExactly(receiver, new byte[4], [], DateTime.UtcNow - TimeSpan.FromSeconds(1)),
                Throws.TypeOf<HandOffException>().With.Message.Contains("did not send its listeners in time"));
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AReceiveFailsWhenTheOldProcessClosesInTheMiddle(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiver) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (receiver)
        {
            await sender.SendAsync(new byte[] { 1, 2 }, SocketFlags.None, cancellationToken);
            sender.Dispose();

            Assert.That(
                () => ListenerWire.ReceiveExactly(receiver, new byte[4], [], DateTime.UtcNow + TestTimeouts.Wait),
                Throws.TypeOf<HandOffException>().With.Message.Contains("closed the restart socket"));
        }
    }
}
