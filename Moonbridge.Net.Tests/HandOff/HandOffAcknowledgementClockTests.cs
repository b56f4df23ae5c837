using System.Net.Sockets;
using Moonbridge.Net.HandOff;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.HandOff;

/// <summary><see cref="HandOffTarget.AcknowledgementTimeout"/> on <see cref="HandOffTarget.TimeProvider"/>.</summary>
[TestFixture]
public sealed class HandOffAcknowledgementClockTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task AReceiverThatNeverAcknowledgesGivesTheConnectionBackWhenTheClockReachesTheTimeout(CancellationToken cancellationToken)
    {
        var clock = new ObservedTimeProvider();
        using var temp = new TempDirectory();
        string path = temp.File("silent.sock");
        using var silent = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        silent.Bind(new UnixDomainSocketEndPoint(path));
        silent.Listen();
        Task<Socket> accepted = silent.AcceptAsync(cancellationToken).AsTask();
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        TimeSpan timeout = TimeSpan.FromSeconds(10);
        using var target = new HandOffTarget(path) { AcknowledgementTimeout = timeout, TimeProvider = clock };

        Task armed = clock.WhenArmedAsync(timeout);
        Task sending = target.SendAsync(pair.Moon, cancellationToken: cancellationToken).AsTask();
        using Socket channel = await accepted;
        await armed.WaitAsync(TestTimeouts.Wait, cancellationToken);
        Assert.That(sending.IsCompleted, Is.False, "waiting for the acknowledgement");

        clock.Advance(timeout);

        HandOffException? failure = Assert.ThrowsAsync<HandOffException>(async () => await sending.WaitAsync(TestTimeouts.Wait, cancellationToken));
        await using MoonSocket returned = failure!.ReturnedSocket!;
        Assert.That(failure.Message, Does.Contain("acknowledge"));
        await pair.Peer.SendTextAsync("still there?\n", cancellationToken);
        IoData line = await returned.ReadAsync(terminator: '\n', cancellationToken: cancellationToken);
        Assert.That(line.Text, Is.EqualTo("still there?\n"));
    }

    [Test]
    public void ATargetRefusesANullClock()
    {
        Assert.That(() => new HandOffTarget("/nowhere") { TimeProvider = null! }, Throws.ArgumentNullException);
    }
}
