using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary><c>MoonbridgeIO.Poll</c>: waiting for sockets and listeners (Lua <c>moonbridge_io.poll</c>).</summary>
public sealed class PollTests
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(100);

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PollTimesOutWhenNothingIsReady(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        var clock = Stopwatch.StartNew();

        PollResult result = MoonbridgeIO.Poll([pair.Moon, listener], null, ShortTimeout);

        Assert.That(result.TimedOut, Is.True);
        Assert.That(result.IsReady, Is.False);
        Assert.That(result.Readable, Is.Empty);
        Assert.That(clock.Elapsed, Is.GreaterThanOrEqualTo(ShortTimeout * 0.5));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PollWithAZeroOrNegativeTimeoutOnlyChecks(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        Assert.That(MoonbridgeIO.Poll([pair.Moon], null, TimeSpan.Zero).TimedOut, Is.True);
        Assert.That(MoonbridgeIO.Poll([pair.Moon], null, TimeSpan.FromSeconds(-1)).TimedOut, Is.True);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PollWakesForAListenerWithAPendingConnectionAndAcceptNbTakesIt(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        Task<PollResult> polling = MoonbridgeIO.PollAsync([listener], null, TestTimeouts.Wait, cancellationToken: cancellationToken).AsTask();
        using Socket client = await listener.ConnectPeerAsync(cancellationToken);
        PollResult result = await polling;
        using MoonSocket? accepted = listener.AcceptNb();

        Assert.That(result.TimedOut, Is.False);
        Assert.That(result.Readable, Is.EqualTo(new IPollable[] { listener }));
        Assert.That(accepted, Is.Not.Null);
        Assert.That(accepted!.RemoteTcpPort, Is.EqualTo(((IPEndPoint)client.LocalEndPoint!).Port));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task BlockingPollWakesForAConnectionThatWasAlreadyPending(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        using Socket client = await listener.ConnectPeerAsync(cancellationToken);

        PollResult result = MoonbridgeIO.Poll([listener], null, TestTimeouts.Wait);
        using MoonSocket? accepted = listener.AcceptNb();

        Assert.That(result.IsReady, Is.True);
        Assert.That(accepted, Is.Not.Null);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PollWakesWhenDataArrives(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        Task<PollResult> polling = MoonbridgeIO.PollAsync([pair.Moon], null, TestTimeouts.Wait, cancellationToken: cancellationToken).AsTask();

        await pair.Peer.SendTextAsync("ping", cancellationToken);
        PollResult result = await polling;

        Assert.That(result.Readable, Is.EqualTo(new IPollable[] { pair.Moon }));
        Assert.That(pair.Moon.ReadNb().Text, Is.EqualTo("ping"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PollReportsBufferedDataAtOnce(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        await pair.Peer.SendTextAsync("xyz", cancellationToken);
        Assert.That(MoonbridgeIO.Poll([pair.Moon], null, TestTimeouts.Wait).IsReady, Is.True);
        Assert.That(pair.Moon.ReadNb(1).Text, Is.EqualTo("x"));

        // "yz" now sits in the socket's own input buffer; the kernel has nothing more.
        PollResult result = MoonbridgeIO.Poll([pair.Moon], null, TimeSpan.Zero);

        Assert.That(result.Readable, Is.EqualTo(new IPollable[] { pair.Moon }));
        IoData rest = pair.Moon.ReadNb();
        Assert.That(rest.Text, Is.EqualTo("yz"));
        Assert.That(rest.Status, Is.EqualTo(IoStatus.Block));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PollReportsEndOfInputAsReadable(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Peer.Shutdown(SocketShutdown.Send);

        PollResult result = MoonbridgeIO.Poll([pair.Moon], null, TestTimeouts.Wait);

        Assert.That(result.Readable, Is.EqualTo(new IPollable[] { pair.Moon }));
        Assert.That(pair.Moon.ReadNb().Status, Is.EqualTo(IoStatus.Eof));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task PollReportsAnIdleSocketAsWritable(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        PollResult result = MoonbridgeIO.Poll(null, [pair.Moon], TimeSpan.Zero);

        Assert.That(result.Writable, Is.EqualTo(new[] { pair.Moon }));
        Assert.That(result.Readable, Is.Empty);
    }
}
