using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>I/O errors are results, not exceptions, and they are sticky (Lua "Previous read error").</summary>
public sealed class ReadErrorTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ReadAfterThePeerResetsReportsErrorAndKeepsReportingIt(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        pair.ResetPeer();
        IoData first = pair.Moon.Read();
        IoData second = pair.Moon.Read();

        Assert.That(first.Status, Is.EqualTo(IoStatus.Error));
        Assert.That(first.Error, Is.EqualTo(SocketError.ConnectionReset));
        Assert.That(first.Data, Is.Empty);
        Assert.That(second.Status, Is.EqualTo(IoStatus.Error));
        Assert.That(second.Error, Is.EqualTo(SocketError.ConnectionReset));
        Assert.That(pair.Moon.ReadNb().Status, Is.EqualTo(IoStatus.Error));
        Assert.That(pair.Moon.DrainNb().Status, Is.EqualTo(IoStatus.Error));
        Assert.That((await pair.Moon.ReadAsync(cancellationToken: cancellationToken)).Status, Is.EqualTo(IoStatus.Error));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ASocketWithAReadErrorPollsAsReadable(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.ResetPeer();

        PollResult poll = await MoonbridgeIO.PollAsync([pair.Moon], null, TestTimeouts.Wait, cancellationToken: cancellationToken);

        Assert.That(poll.Readable, Is.EqualTo(new[] { pair.Moon }));
        Assert.That(pair.Moon.ReadNb().Status, Is.EqualTo(IoStatus.Error));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task WritingToAResetPeerReportsAnErrorThatSticks(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.ResetPeer();
        Assert.That(pair.Moon.Read().Status, Is.EqualTo(IoStatus.Error)); // the RST has arrived

        IoWriteResult first = pair.Moon.Flush("into the void");
        IoWriteResult second = pair.Moon.FlushNb("more");

        Assert.That(first.IsError, Is.True);
        Assert.That(second.IsError, Is.True);
        Assert.That(second.Error, Is.EqualTo(first.Error));
    }
}
