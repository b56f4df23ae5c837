using System.Net;
using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary>Passing live TCP and Unix connections, with and without bytes already read, over a real hand-off socket.</summary>
[Platform("Linux")]
public sealed class HandOffTransferTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ATcpConnectionArrivesWithTheBytesTheSenderHadNotRead(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using HandOffListener receiver = HandOffListener.Listen(temp.File("handoff.sock"));
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        await pair.Peer.SendTextAsync("first line\nsecond line, still unread\n", cancellationToken);
        IoData first = await pair.Moon.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(first.Text, Is.EqualTo("first line\n"));
        pair.Moon.Write("written by the sender, flushed by the hand-off\n");

        using var target = new HandOffTarget(receiver.Path);
        await target.SendAsync(pair.Moon, new HandOffInfo { Tag = "route-a" }, cancellationToken);
        ReceivedHandOff received = await receiver.AcceptAsync(cancellationToken);
        await using MoonSocket moved = received.Socket;

        Assert.That(pair.Moon.IsClosed, Is.True);
        Assert.That(received.Info.Tag, Is.EqualTo("route-a"));
        Assert.That(received.Info.RemoteEndPoint, Is.EqualTo(pair.Peer.LocalEndPoint));
        Assert.That(received.Info.LocalEndPoint, Is.EqualTo(pair.Peer.RemoteEndPoint));
        Assert.That(moved.RemoteEndPoint, Is.EqualTo(pair.Peer.LocalEndPoint));
        Assert.That(moved.GetHandOffInfo(), Is.SameAs(received.Info));

        IoData second = await moved.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(second.Text, Is.EqualTo("second line, still unread\n"));
        await pair.Peer.SendTextAsync("third line, sent after the hand-off\n", cancellationToken);
        IoData third = await moved.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(third.Text, Is.EqualTo("third line, sent after the hand-off\n"));

        await moved.FlushAsync("answered by the receiver\n", cancellationToken);
        await moved.FinishAsync(cancellationToken);
        string seen = await pair.Peer.ReceiveTextToEndAsync(cancellationToken);
        Assert.That(seen, Is.EqualTo("written by the sender, flushed by the hand-off\nanswered by the receiver\n"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ATcpConnectionWithNothingReadArrivesUnchanged(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using HandOffListener receiver = HandOffListener.Listen(temp.File("handoff.sock"));
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        using HandOffChannel channel = await HandOffChannel.ConnectAsync(receiver.Path, cancellationToken);

        await channel.SendAsync(pair.Moon, cancellationToken: cancellationToken);
        ReceivedHandOff received = await receiver.AcceptAsync(cancellationToken);
        await using MoonSocket moved = received.Socket;

        Assert.That(received.Info.Tag, Is.Null);
        Assert.That(received.Info.RequestHeadLength, Is.Zero);
        Assert.That(received.Info.ResponseStarted, Is.False);
        Assert.That(moved.IsReadableNow(), Is.False, "nothing was pending");
        await pair.Peer.SendTextAsync("ping\n", cancellationToken);
        IoData ping = await moved.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(ping.Text, Is.EqualTo("ping\n"));
        await moved.FlushAsync("pong\n", cancellationToken);
        byte[] pong = await pair.Peer.ReceiveExactlyAsync(5, cancellationToken);
        Assert.That(Encoding.ASCII.GetString(pong), Is.EqualTo("pong\n"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AUnixConnectionArrivesWithItsPendingBytes(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using HandOffListener receiver = HandOffListener.Listen(temp.File("handoff.sock"));
        using MoonListener listener = MoonbridgeIO.LocalListen(temp.File("clients.sock"));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(listener.Path!), cancellationToken);
        MoonSocket accepted = await listener.AcceptAsync(cancellationToken);

        await client.SendTextAsync("head\nbody", cancellationToken);
        IoData head = await accepted.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(head.Text, Is.EqualTo("head\n"));

        using var target = new HandOffTarget(receiver.Path);
        await target.SendAsync(accepted, cancellationToken: cancellationToken);
        ReceivedHandOff received = await receiver.AcceptAsync(cancellationToken);
        await using MoonSocket moved = received.Socket;

        Assert.That(moved.LocalEndPoint, Is.InstanceOf<UnixDomainSocketEndPoint>());
        IoData body = await moved.ReadAsync(maxLength: 4, cancellationToken: cancellationToken);
        Assert.That(body.Text, Is.EqualTo("body"));
        await moved.FlushAsync("ok", cancellationToken);
        await moved.FinishAsync(cancellationToken);
        Assert.That(await client.ReceiveTextToEndAsync(cancellationToken), Is.EqualTo("ok"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AUnixConnectionWithNothingReadArrivesUnchanged(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using HandOffListener receiver = HandOffListener.Listen(temp.File("handoff.sock"));
        using MoonListener listener = MoonbridgeIO.LocalListen(temp.File("clients.sock"));
        using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await client.ConnectAsync(new UnixDomainSocketEndPoint(listener.Path!), cancellationToken);
        MoonSocket accepted = await listener.AcceptAsync(cancellationToken);

        using var target = new HandOffTarget(receiver.Path);
        await target.SendAsync(accepted, cancellationToken: cancellationToken);
        await using MoonSocket moved = (await receiver.AcceptAsync(cancellationToken)).Socket;

        await client.SendTextAsync("x\n", cancellationToken);
        IoData line = await moved.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(line.Text, Is.EqualTo("x\n"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ManyPendingBytesTravelWithTheConnection(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        await using HandOffListener receiver = HandOffListener.Listen(temp.File("handoff.sock"));
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        byte[] data = new byte[300_000];
        Random.Shared.NextBytes(data);
        data[0] = (byte)'!';
        await pair.Peer.SendAllAsync(data, cancellationToken);
        IoData first = await pair.Moon.ReadAsync(maxLength: 1, cancellationToken: cancellationToken);
        Assert.That(first.Data, Is.EqualTo(new[] { (byte)'!' }));

        using var target = new HandOffTarget(receiver.Path);
        await target.SendAsync(pair.Moon, cancellationToken: cancellationToken);
        await using MoonSocket moved = (await receiver.AcceptAsync(cancellationToken)).Socket;

        IoData rest = await moved.ReadAsync(maxLength: data.Length - 1, cancellationToken: cancellationToken);
        Assert.That(rest.Data.AsSpan().SequenceEqual(data.AsSpan(1)), Is.True);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AnUnreachableReceiverLeavesTheSocketUntouched(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        using var target = new HandOffTarget(temp.File("nobody.sock"));

        HandOffException? failure = Assert.ThrowsAsync<HandOffException>(async () => await target.SendAsync(pair.Moon, cancellationToken: cancellationToken));

        Assert.That(failure!.ReturnedSocket, Is.Null);
        Assert.That(pair.Moon.IsClosed, Is.False);
        await pair.Peer.SendTextAsync("still mine\n", cancellationToken);
        IoData line = await pair.Moon.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(line.Text, Is.EqualTo("still mine\n"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AReceiverThatDiesMidTransferGivesTheConnectionBack(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string path = temp.File("dying.sock");
        using var dying = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        dying.Bind(new UnixDomainSocketEndPoint(path));
        dying.Listen();
        Task dies = DieAfterAFewBytesAsync(dying, cancellationToken);
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        // Bytes the sender already received must survive the failed attempt too.
        byte[] unread = new byte[200_000];
        Random.Shared.NextBytes(unread);
        await pair.Peer.SendAllAsync(unread, cancellationToken);
        await WaitReadableAsync(pair.Moon, cancellationToken);
        using var target = new HandOffTarget(path);

        HandOffException? failure = Assert.ThrowsAsync<HandOffException>(async () => await target.SendAsync(pair.Moon, cancellationToken: cancellationToken));
        await dies;

        Assert.That(pair.Moon.IsClosed, Is.True);
        await using MoonSocket returned = failure!.ReturnedSocket!;
        Assert.That(returned, Is.Not.Null);
        IoData back = await returned.ReadAsync(maxLength: unread.Length, cancellationToken: cancellationToken);
        Assert.That(back.Data.AsSpan().SequenceEqual(unread), Is.True, $"{back.Data.Length} of {unread.Length} bytes came back");
        await returned.FlushAsync("recovered\n", cancellationToken);
        await returned.FinishAsync(cancellationToken);
        Assert.That(await pair.Peer.ReceiveTextToEndAsync(cancellationToken), Is.EqualTo("recovered\n"));

        static async Task DieAfterAFewBytesAsync(Socket listener, CancellationToken cancellationToken)
        {
            using Socket channel = await listener.AcceptAsync(cancellationToken);
            byte[] some = new byte[8];
            _ = await channel.ReceiveAsync(some, SocketFlags.None, cancellationToken);
            channel.Close();
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AReceiverThatNeverAcknowledgesGivesTheConnectionBackAfterTheTimeout(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        string path = temp.File("silent.sock");
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        silent.Bind(new UnixDomainSocketEndPoint(path));
        silent.Listen();
        Task<Socket> accepted = silent.AcceptAsync(cancellationToken).AsTask();
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        using var target = new HandOffTarget(path) { AcknowledgementTimeout = TimeSpan.FromMilliseconds(200) };

        HandOffException? failure = Assert.ThrowsAsync<HandOffException>(async () => await target.SendAsync(pair.Moon, cancellationToken: cancellationToken));
        using Socket channel = await accepted;

        await using MoonSocket returned = failure!.ReturnedSocket!;
        Assert.That(failure.Message, Does.Contain("acknowledge"));
        await pair.Peer.SendTextAsync("still there?\n", cancellationToken);
        IoData line = await returned.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(line.Text, Is.EqualTo("still there?\n"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AConnectHandlerOfAHandOffListenerGetsTheConnection(CancellationToken cancellationToken)
    {
        using var temp = new TempDirectory();
        var options = new Moonbridge.Net.Server.ListenOptions
        {
            ConnectAsync = async (socket, token) =>
            {
                IoData line = await socket.ReadAsync(terminator: '\n', cancellationToken: token);
                await socket.FlushAsync($"{socket.GetHandOffInfo()?.Tag}:{line.Text}", token);
                return true;
            },
        };
        options.Listeners.Add(new HandOffListenerSpec(temp.File("pool.sock")));
        await using var server = Moonbridge.Net.Server.MoonbridgeServer.Listen(options);
        Assert.That(server.Listeners[0].LocalEndPoint, Is.EqualTo(new UnixDomainSocketEndPoint(temp.File("pool.sock"))));

        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        await pair.Peer.SendTextAsync("hello pool\n", cancellationToken);
        await WaitReadableAsync(pair.Moon, cancellationToken);
        using var target = new HandOffTarget(temp.File("pool.sock"));
        await target.SendAsync(pair.Moon, new HandOffInfo { Tag = "tagged" }, cancellationToken);

        Assert.That(await pair.Peer.ReceiveTextToEndAsync(cancellationToken), Is.EqualTo("tagged:hello pool\n"));
    }

    [Test]
    public void TheWireFormatKeepsEveryMetadataField()
    {
        var info = new HandOffInfo
        {
            LocalEndPoint = new IPEndPoint(IPAddress.Parse("fe80::1%2"), 443),
            RemoteEndPoint = new IPEndPoint(IPAddress.Parse("192.0.2.7"), 50123),
            Tag = "tenant=ä",
            ResponseStarted = true,
            RequestHeadLength = 321,
        };
        var writer = new System.Buffers.ArrayBufferWriter<byte>();
        Moonbridge.Net.HandOff.Internal.WireFormat.WriteMetadata(writer, info);

        HandOffInfo read = Moonbridge.Net.HandOff.Internal.WireFormat.ReadMetadata(writer.WrittenSpan);

        Assert.That(read, Is.EqualTo(info));
        Assert.Throws<HandOffException>(() => Moonbridge.Net.HandOff.Internal.WireFormat.ReadMetadata(writer.WrittenSpan[..^3]));
    }

    /// <summary>Waits until the socket's receive loop has taken input into its buffer (so it is "already read").</summary>
    internal static async Task WaitReadableAsync(MoonSocket socket, CancellationToken cancellationToken)
    {
        PollResult ready = await MoonbridgeIO.PollAsync([socket], timeout: TestTimeouts.Wait, cancellationToken: cancellationToken);
        Assert.That(ready.IsReady, Is.True);
    }
}

internal static class MoonSocketTestExtensions
{
    public static bool IsReadableNow(this MoonSocket socket) => ((IPollable)socket).IsReadable;
}
