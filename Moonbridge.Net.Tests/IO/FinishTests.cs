using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary><c>Finish</c>: flush, then half-close the sending side (Lua <c>finish</c>).</summary>
public sealed class FinishTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task FinishFlushesAndThePeerSeesEofWhileItCanStillSendBack(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Write("last words"); // small: held back until a flush

        IoWriteResult finished = pair.Moon.Finish();
        string received = await pair.Peer.ReceiveTextToEndAsync(cancellationToken);
        await pair.Peer.SendTextAsync("a late reply", cancellationToken);
        pair.Peer.Shutdown(SocketShutdown.Send);
        IoData reply = pair.Moon.Read();

        Assert.That(finished, Is.EqualTo(new IoWriteResult(0)));
        Assert.That(received, Is.EqualTo("last words"));
        Assert.That(reply.Text, Is.EqualTo("a late reply"));
        Assert.That(reply.Status, Is.EqualTo(IoStatus.Eof));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task WritingAfterFinishThrowsInvalidOperationException(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Finish();

        Assert.That(() => pair.Moon.WriteNb("x"), Throws.TypeOf<InvalidOperationException>());
        Assert.That(() => pair.Moon.Write("x"), Throws.TypeOf<InvalidOperationException>());
        Assert.That(() => pair.Moon.FlushNb(), Throws.TypeOf<InvalidOperationException>());
        Assert.That(() => pair.Moon.Flush("x"), Throws.TypeOf<InvalidOperationException>());
        Assert.That(() => pair.Moon.WriteAsync("x", cancellationToken), Throws.TypeOf<InvalidOperationException>());
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task FinishingTwiceThrowsInvalidOperationException(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Finish();

        Assert.That(() => pair.Moon.Finish(), Throws.TypeOf<InvalidOperationException>());
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task CloseAfterFinishClosesWithoutError(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Finish();
        Assert.That(await pair.Peer.ReceiveTextToEndAsync(cancellationToken), Is.Empty);

        IoWriteResult closed = pair.Moon.Close();

        Assert.That(closed.IsError, Is.False);
        Assert.That(pair.Moon.IsClosed, Is.True);
    }
}
