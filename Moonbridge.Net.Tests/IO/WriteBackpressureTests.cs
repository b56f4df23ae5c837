using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>Non-blocking writes to a peer that does not read, and flushing once it does.</summary>
public sealed class WriteBackpressureTests
{
    private const int ChunkSize = 64 * 1024;
    private const long WriteLimit = 64L * 1024 * 1024;

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task WriteNbReportsPendingBytesWhenThePeerDoesNotRead(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);

        (long written, IoWriteResult last) = FillUntilPending(pair.Moon);

        Assert.That(last.IsError, Is.False);
        Assert.That(last.Pending, Is.GreaterThan(0));
        Assert.That(last.Pending, Is.LessThanOrEqualTo(written));
        Assert.That(pair.Moon.FlushNb().Pending, Is.GreaterThan(0), "nobody reads, so a flush cannot complete");
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task FlushNbReachesZeroOnceThePeerDrainsEverything(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        (long written, _) = FillUntilPending(pair.Moon);

        PeerDrain drain = PeerDrain.Start(pair.Peer, written, cancellationToken);
        Deadline deadline = Deadline.Start();
        IoWriteResult flush = pair.Moon.FlushNb();
        while (flush.Pending > 0 && !flush.IsError)
        {
            deadline.ThrowIfPassed("flushing to a draining peer");
            MoonbridgeIO.Poll(null, [pair.Moon], deadline.Remaining);
            flush = pair.Moon.FlushNb();
        }

        Assert.That(flush, Is.EqualTo(new IoWriteResult(0)));
        Assert.That(await drain.Completion.WaitAsync(cancellationToken), Is.EqualTo(written));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task FlushAsyncCompletesOnceThePeerDrainsEverything(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        (long written, _) = FillUntilPending(pair.Moon);

        PeerDrain drain = PeerDrain.Start(pair.Peer, written, cancellationToken);
        IoWriteResult flush = await pair.Moon.FlushAsync(cancellationToken: cancellationToken);

        Assert.That(flush, Is.EqualTo(new IoWriteResult(0)));
        Assert.That(pair.Moon.FlushNb(), Is.EqualTo(new IoWriteResult(0)));
        Assert.That(await drain.Completion.WaitAsync(cancellationToken), Is.EqualTo(written));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task FlushNbKeepsHandingDataToTheKernelWithoutBeingPolled(CancellationToken cancellationToken)
    {
        // Lua's flush_nb tries the write again on every call; a caller that waits on something other
        // than MoonbridgeIO.Poll (here: the peer's progress) must still see the pending count fall.
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        (long written, _) = FillUntilPending(pair.Moon);

        PeerDrain drain = PeerDrain.Start(pair.Peer, written, cancellationToken);
        IoWriteResult flush = pair.Moon.FlushNb();
        Deadline deadline = Deadline.Start();
        while (flush.Pending > 0 && !flush.IsError)
        {
            deadline.ThrowIfPassed($"FlushNb stayed at {flush.Pending} pending bytes while the peer had received everything sent");

            // Wait until the peer has everything the kernel took so far, then try again.
            await drain.WaitForAsync(written - flush.Pending, cancellationToken);
            flush = pair.Moon.FlushNb();
        }

        Assert.That(flush, Is.EqualTo(new IoWriteResult(0)));
        Assert.That(await drain.Completion.WaitAsync(cancellationToken), Is.EqualTo(written));
    }

    /// <summary>Writes 64 KiB chunks with <c>WriteNb</c> until some are reported pending (at most 64 MiB).</summary>
    private static (long Written, IoWriteResult Last) FillUntilPending(MoonSocket socket)
    {
        byte[] chunk = new byte[ChunkSize];
        long written = 0;
        IoWriteResult last;
        do
        {
            last = socket.WriteNb(chunk);
            written += chunk.Length;
        }
        while (last.Pending == 0 && !last.IsError && written < WriteLimit);

        Assert.That(last.IsError, Is.False);
        Assert.That(last.Pending, Is.GreaterThan(0), $"no back-pressure after {written} bytes");
        return (written, last);
    }
}
