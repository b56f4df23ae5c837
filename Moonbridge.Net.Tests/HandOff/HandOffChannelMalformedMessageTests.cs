using System.Buffers;
using System.Net.Sockets;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>
/// A receiving <see cref="HandOffChannel"/> fed by a peer that breaks the protocol: the receive fails, the
/// channel is faulted, and every descriptor that came with the broken message is closed (the carried
/// socket's other end then sees its end of stream).
/// </summary>
[Platform("Linux")]
public sealed class HandOffChannelMalformedMessageTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AMessageWithoutADescriptorIsRefusedAndTheChannelStaysFaulted(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiving) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (var channel = new HandOffChannel(receiving))
        {
            await sender.SendAllAsync(Message(), cancellationToken);

            Assert.That(async () => await channel.ReceiveAsync(cancellationToken), Throws.TypeOf<HandOffException>().With.Message.Contains("exactly one descriptor, not 0"));
            Assert.That(channel.IsFaulted, Is.True);
            Assert.That(async () => await channel.ReceiveAsync(cancellationToken), Throws.TypeOf<HandOffException>().With.Message.Contains("failed earlier"));
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AMessageWithTwoDescriptorsIsRefusedAndBothAreClosed(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiving) = await UnixStreamPair.ConnectAsync(cancellationToken);
        (Socket carried, Socket carriedPeer) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (carriedPeer)
        using (var channel = new HandOffChannel(receiving))
        {
            byte[] message = Message();
            using (carried)
            {
                // One descriptor on the header, another on the metadata.
                Assert.That(FdTransport.SendWithDescriptor(sender.SafeHandle, message.AsSpan(0, WireFormat.HeaderLength), (int)carried.Handle), Is.EqualTo(WireFormat.HeaderLength));
                Assert.That(FdTransport.SendWithDescriptor(sender.SafeHandle, message.AsSpan(WireFormat.HeaderLength), (int)carried.Handle), Is.EqualTo(message.Length - WireFormat.HeaderLength));
            }

            Assert.That(async () => await channel.ReceiveAsync(cancellationToken), Throws.TypeOf<HandOffException>().With.Message.Contains("not 2"));
            Assert.That(await carriedPeer.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken), Is.Zero, "no copy of the carried socket is left open");
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AMessageWithTooManyDescriptorsIsRefusedAndAllThatArrivedAreClosed(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiving) = await UnixStreamPair.ConnectAsync(cancellationToken);
        (Socket carried, Socket carriedPeer) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (carriedPeer)
        using (var channel = new HandOffChannel(receiving))
        {
            byte[] message = Message();
            using (carried)
            {
                Assert.That(DescriptorMessage.Send(sender, message, [.. Enumerable.Repeat((int)carried.Handle, 12)]), Is.EqualTo(message.Length));
            }

            Assert.That(async () => await channel.ReceiveAsync(cancellationToken), Throws.TypeOf<HandOffException>().With.Message.Contains("truncated"));
            Assert.That(await carriedPeer.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken), Is.Zero, "no copy of the carried socket is left open");
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AMessageFromAPeerThatSpeaksAnotherProtocolIsRefusedAndItsDescriptorClosed(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiving) = await UnixStreamPair.ConnectAsync(cancellationToken);
        (Socket carried, Socket carriedPeer) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (sender)
        using (carriedPeer)
        using (var channel = new HandOffChannel(receiving))
        {
            byte[] message = "GET / HTTP/1.1\r\n\r\n"u8.ToArray();
            using (carried)
            {
                Assert.That(FdTransport.SendWithDescriptor(sender.SafeHandle, message, (int)carried.Handle), Is.EqualTo(message.Length));
            }

            Assert.That(async () => await channel.ReceiveAsync(cancellationToken), Throws.TypeOf<HandOffException>().With.Message.Contains("bad magic"));
            Assert.That(await carriedPeer.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken), Is.Zero, "no copy of the carried socket is left open");
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AMessageCutShortByTheSenderClosingIsRefusedAndItsDescriptorClosed(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiving) = await UnixStreamPair.ConnectAsync(cancellationToken);
        (Socket carried, Socket carriedPeer) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using (carriedPeer)
        using (var channel = new HandOffChannel(receiving))
        {
            byte[] message = Message(pending: 100);
            using (carried)
            using (sender)
            {
                Assert.That(FdTransport.SendWithDescriptor(sender.SafeHandle, message, (int)carried.Handle), Is.EqualTo(message.Length));
                await sender.SendAsync(new byte[40], SocketFlags.None, cancellationToken);
            }

            Assert.That(async () => await channel.ReceiveAsync(cancellationToken), Throws.TypeOf<HandOffException>().With.Message.Contains("in the middle of a hand-off"));
            Assert.That(await carriedPeer.ReceiveAsync(new byte[1], SocketFlags.None, cancellationToken), Is.Zero, "no copy of the carried socket is left open");
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ASenderThatClosesBetweenHandOffsEndsTheChannelCleanly(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiving) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using var channel = new HandOffChannel(receiving);
        sender.Dispose();

        Assert.That(await channel.ReceiveAsync(cancellationToken), Is.Null);
        Assert.That(channel.IsFaulted, Is.False);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AChannelResetByItsPeerFailsWithTheSocketError(CancellationToken cancellationToken)
    {
        (Socket sender, Socket receiving) = await UnixStreamPair.ConnectAsync(cancellationToken);
        using var channel = new HandOffChannel(receiving);

        // A Unix socket closed with unread input resets its peer.
        await receiving.SendAsync(new byte[] { 1 }, SocketFlags.None, cancellationToken);
        await sender.SendAsync(Message().AsMemory(0, 4), SocketFlags.None, cancellationToken);
        sender.Dispose();

        Assert.That(
            async () => await channel.ReceiveAsync(cancellationToken),
            Throws.TypeOf<HandOffException>().With.Message.Contains(nameof(SocketError.ConnectionReset)).And.InnerException.TypeOf<SocketException>());
        Assert.That(channel.IsFaulted, Is.True);
    }

    /// <summary>A well-formed header and metadata record announcing <paramref name="pending"/> bytes.</summary>
    private static byte[] Message(int pending = 0)
    {
        var metadata = new ArrayBufferWriter<byte>();
        WireFormat.WriteMetadata(metadata, new HandOffInfo { Tag = "malformed" });
        byte[] message = new byte[WireFormat.HeaderLength + metadata.WrittenCount];
        WireFormat.WriteHeader(message, metadata.WrittenCount, pending);
        metadata.WrittenSpan.CopyTo(message.AsSpan(WireFormat.HeaderLength));
        return message;
    }
}
