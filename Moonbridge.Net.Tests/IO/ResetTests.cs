using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary><c>Reset</c>: close at once with a TCP RST, dropping queued output (Lua <c>reset</c>).</summary>
public sealed class ResetTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ResetMakesThePeerSeeAConnectionReset(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        pair.Moon.Write("never sent"); // held back, and dropped by the reset

        pair.Moon.Reset();

        await Assert.ThatAsync(
            async () => await pair.Peer.ReceiveAsync(new byte[64], SocketFlags.None, cancellationToken),
            Throws.TypeOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionReset));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ResetClosesTheSocketSoFurtherUseThrows(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        pair.Moon.Reset();

        Assert.That(pair.Moon.IsClosed, Is.True);
        Assert.That(() => pair.Moon.ReadNb(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => pair.Moon.Reset(), Throws.TypeOf<ObjectDisposedException>());
        Assert.That(() => pair.Moon.Close(), Throws.TypeOf<ObjectDisposedException>());
    }
}
