using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>The read sequence measured on the original (notes, section 4.2), step by step.</summary>
public sealed class MeasuredReadSequenceTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ReadsFollowTheOriginalsMeasuredSequence(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        MoonSocket moon = pair.Moon;
        await pair.Peer.SendTextAsync("abc\ndefghij", cancellationToken); // one write: it arrives as one piece

        AssertData(moon.Read(2), "ab", IoStatus.MaxLen);
        AssertData(moon.Read(terminator: '\n'), "c\n", IoStatus.Term);
        AssertData(moon.Read(3, 'i'), "def", IoStatus.MaxLen);
        AssertData(moon.Read(10, 'i'), "ghi", IoStatus.Term);
        AssertData(moon.ReadNb(), "j", IoStatus.Block);
        AssertData(moon.ReadNb(), "", IoStatus.Block);
        Assert.That(moon.DrainNb(), Is.EqualTo(new IoReadResult(IoStatus.Block, 0)));

        await pair.Peer.SendTextAsync("tail-data", cancellationToken);
        pair.Peer.Shutdown(SocketShutdown.Send);

        AssertData(moon.Read(), "tail-data", IoStatus.Eof);
        AssertData(moon.Read(), "", IoStatus.Eof);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task MaxLengthZeroReturnsNothingWithMaxLenInEveryForm(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        MoonSocket moon = pair.Moon;

        AssertData(moon.Read(0), "", IoStatus.MaxLen);
        AssertData(moon.ReadNb(0, '\n'), "", IoStatus.MaxLen);
        AssertData(moon.ReadCall((_, _) => Assert.Fail("a zero-length read must not wait"), 0), "", IoStatus.MaxLen);
        AssertData(await moon.ReadAsync(0, cancellationToken: cancellationToken), "", IoStatus.MaxLen);
        Assert.That(moon.DrainNb(0), Is.EqualTo(new IoReadResult(IoStatus.MaxLen, 0)));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task MaxLengthZeroLeavesBufferedDataInPlace(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        await pair.Peer.SendTextAsync("xyz", cancellationToken);
        AssertData(pair.Moon.Read(1), "x", IoStatus.MaxLen);

        AssertData(pair.Moon.Read(0), "", IoStatus.MaxLen);
        AssertData(pair.Moon.ReadNb(), "yz", IoStatus.Block);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task TheTerminatorIsOnlySearchedWithinMaxLength(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        await pair.Peer.SendTextAsync("abcd\n", cancellationToken);

        AssertData(pair.Moon.Read(4, '\n'), "abcd", IoStatus.MaxLen);
        AssertData(pair.Moon.Read(4, '\n'), "\n", IoStatus.Term);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ATerminatorOutsideTheByteRangeIsRejected(CancellationToken cancellationToken)
    {
        // Lua raises "single byte expected" for a longer terminator string.
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        Assert.That(() => pair.Moon.ReadNb(terminator: 256), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => pair.Moon.ReadNb(terminator: -2), Throws.TypeOf<ArgumentOutOfRangeException>());
        Assert.That(() => pair.Moon.ReadNb(maxLength: -2), Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    private static void AssertData(IoData actual, string text, IoStatus status)
    {
        Assert.That(actual.Text, Is.EqualTo(text));
        Assert.That(actual.Status, Is.EqualTo(status));
    }
}
