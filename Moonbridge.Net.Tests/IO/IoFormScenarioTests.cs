using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>The same read, drain and write scenarios, run through each of the four I/O forms.</summary>
[TestFixtureSource(nameof(Forms))]
public sealed class IoFormScenarioTests(IoForm form)
{
    public static IEnumerable<IoForm> Forms => Enum.GetValues<IoForm>();

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ReadStopsAfterTheTerminatorAndIncludesIt(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var io = new FormIo(form, cancellationToken);
        await pair.Peer.SendTextAsync("first line\nsecond line\n", cancellationToken);

        IoData first = await io.ReadAsync(pair.Moon, terminator: '\n');
        IoData second = await io.ReadAsync(pair.Moon, maxLength: 100, terminator: '\n');

        Assert.That(first.Text, Is.EqualTo("first line\n"));
        Assert.That(first.Status, Is.EqualTo(IoStatus.Term));
        Assert.That(second.Text, Is.EqualTo("second line\n"));
        Assert.That(second.Status, Is.EqualTo(IoStatus.Term));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ReadStopsAtMaxLengthAndLeavesTheRestForTheNextRead(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var io = new FormIo(form, cancellationToken);
        await pair.Peer.SendTextAsync("0123456789", cancellationToken);

        IoData head = await io.ReadAsync(pair.Moon, maxLength: 4);
        IoData middle = await io.ReadAsync(pair.Moon, maxLength: 4, terminator: '9');

        Assert.That(head.Text, Is.EqualTo("0123"));
        Assert.That(head.Status, Is.EqualTo(IoStatus.MaxLen));
        Assert.That(middle.Text, Is.EqualTo("4567"));
        Assert.That(middle.Status, Is.EqualTo(IoStatus.MaxLen));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ReadWithoutLimitsReturnsEverythingUpToEofAndThenEmptyEof(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var io = new FormIo(form, cancellationToken);
        string payload = string.Concat(Enumerable.Repeat("0123456789abcdef", 4096)); // 64 KiB: several receives
        await pair.Peer.SendTextAsync(payload, cancellationToken);
        pair.Peer.Shutdown(SocketShutdown.Send);

        IoData all = await io.ReadAsync(pair.Moon);
        IoData again = await io.ReadAsync(pair.Moon);

        Assert.That(all.Status, Is.EqualTo(IoStatus.Eof));
        Assert.That(all.Text, Is.EqualTo(payload));
        Assert.That(again.Status, Is.EqualTo(IoStatus.Eof));
        Assert.That(again.Data, Is.Empty);
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task DrainCountsTheBytesItDiscards(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var io = new FormIo(form, cancellationToken);
        await pair.Peer.SendTextAsync("0123456789\nabcdefXYZ", cancellationToken);
        pair.Peer.Shutdown(SocketShutdown.Send);

        IoReadResult line = await io.DrainAsync(pair.Moon, terminator: '\n');
        IoReadResult limited = await io.DrainAsync(pair.Moon, maxLength: 6);
        IoReadResult rest = await io.DrainAsync(pair.Moon);

        Assert.That(line, Is.EqualTo(new IoReadResult(IoStatus.Term, 11)));
        Assert.That(limited, Is.EqualTo(new IoReadResult(IoStatus.MaxLen, 6)));
        Assert.That(rest, Is.EqualTo(new IoReadResult(IoStatus.Eof, 3)));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task WriteThenFlushDeliversEverythingToThePeer(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var io = new FormIo(form, cancellationToken);
        byte[] small = Encoding.UTF8.GetBytes("hello, ");
        byte[] large = new byte[4 * 1024 * 1024]; // more than the kernel takes at once: the forms must wait
        Random.Shared.NextBytes(large);
        Task<byte[]> received = pair.Peer.ReceiveExactlyAsync(small.Length + large.Length, cancellationToken);

        (IoWriteResult write, IoWriteResult flush) = await io.WriteThenFlushAsync(pair.Moon, small, large);

        Assert.That(write.IsError, Is.False);
        Assert.That(flush, Is.EqualTo(new IoWriteResult(0)));
        byte[] arrived = await received;
        Assert.That(arrived.AsSpan(0, small.Length).SequenceEqual(small), Is.True, "the written part arrived first, intact");
        Assert.That(arrived.AsSpan(small.Length).SequenceEqual(large), Is.True, "the flushed part followed, intact"); // not Is.EqualTo: NUnit compares 4 MiB element by element, slowly
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task DataArrivingInSeveralPiecesIsAssembledIntoOneRead(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var io = new FormIo(form, cancellationToken);

        // The first piece is buffered before the read starts, so the read takes it and then has to wait.
        await pair.Peer.SendTextAsync("first piece, ", cancellationToken);
        Assert.That(MoonbridgeIO.Poll([pair.Moon], null, TestTimeouts.Wait).IsReady, Is.True);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IoData> reading = io.ReadAsync(pair.Moon, maxLength: 100, terminator: '\n', blocked);
        await blocked.Task.WaitAsync(cancellationToken);
        await pair.Peer.SendTextAsync("second piece\nnext", cancellationToken);

        IoData line = await reading.WaitAsync(cancellationToken);
        IoData next = await io.ReadAsync(pair.Moon, maxLength: 4);

        Assert.That(line.Text, Is.EqualTo("first piece, second piece\n"));
        Assert.That(line.Status, Is.EqualTo(IoStatus.Term));
        Assert.That(next.Text, Is.EqualTo("next"));
        Assert.That(next.Status, Is.EqualTo(IoStatus.MaxLen));
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ReadThatFindsNothingWaitsUntilDataArrives(CancellationToken cancellationToken)
    {
        using SocketPair pair = await SocketPair.AcceptAsync(cancellationToken);
        var io = new FormIo(form, cancellationToken);
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<IoData> reading = io.ReadAsync(pair.Moon, maxLength: 10, blocked: blocked);
        await blocked.Task.WaitAsync(cancellationToken);

        await pair.Peer.SendTextAsync("0123456789rest", cancellationToken);
        IoData data = await reading.WaitAsync(cancellationToken);

        Assert.That(data.Text, Is.EqualTo("0123456789"));
        Assert.That(data.Status, Is.EqualTo(IoStatus.MaxLen));
    }
}
