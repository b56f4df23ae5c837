using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary><c>Close</c>: flush and close gracefully (Lua <c>close</c>); misuse afterwards throws.</summary>
public sealed class CloseTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task CloseFlushesQueuedOutputAndThePeerSeesAnOrderlyEof(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Write("queued, not flushed");

        IoWriteResult closed = pair.Moon.Close();

        Assert.That(closed, Is.EqualTo(new IoWriteResult(0)));
        Assert.That(await pair.Peer.ReceiveTextToEndAsync(cancellationToken), Is.EqualTo("queued, not flushed"));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task UsingASocketAfterCloseThrowsObjectDisposedException(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        MoonSocket moon = pair.Moon;

        moon.Close();

        Assert.That(moon.IsClosed, Is.True);
        Assert.That(() => moon.Read(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => moon.ReadNb(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => moon.ReadCall((_, _) => { }), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(async () => await moon.ReadAsync(cancellationToken: cancellationToken), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => moon.DrainNb(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => moon.WriteNb("x"), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => moon.Flush(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => moon.Finish(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ClosingTwiceThrowsObjectDisposedException(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Close();

        Assert.That(() => pair.Moon.Close(), Throws.TypeOf<ObjectDisposedException>());
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task DisposeAfterCloseDoesNotThrow(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Close();

        Assert.That(() => pair.Moon.Dispose(), Throws.Nothing);
    }
}
