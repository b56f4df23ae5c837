using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.IO;

/// <summary>The async forms wait on the reactor, not on a thread each.</summary>
public sealed class AsyncConcurrencyTests
{
    private const int Connections = 200;

    [Test]
    [CancelAfter(20_000)]
    public async Task TwoHundredPendingReadAsyncCallsHoldNoThreadAndAllCompleteWhenDataArrives(CancellationToken cancellationToken)
    {
        using MoonListener listener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        var peers = new List<Socket>();
        var sockets = new List<MoonSocket>();
        try
        {
            for (int i = 0; i < Connections; i++)
            {
                peers.Add(await listener.ConnectPeerAsync(cancellationToken));
                sockets.Add(await listener.AcceptAsync(cancellationToken));
            }

            int threadsBefore = ThreadPool.ThreadCount;

            // Every call returns to this thread at once, still pending: none of them holds a thread.
            Task<IoData>[] reads = [.. sockets.Select(s => s.ReadAsync(terminator: '\n', cancellationToken: cancellationToken).AsTask())];
            Assert.That(reads.Count(r => r.IsCompleted), Is.Zero);

            await Task.WhenAll(peers.Select((peer, i) => peer.SendTextAsync($"{i}\n", cancellationToken)));
            IoData[] lines = await Task.WhenAll(reads).WaitAsync(cancellationToken);

            Assert.That(lines.Select(l => l.Status), Is.All.EqualTo(IoStatus.Term));
            Assert.That(lines.Select(l => l.Text).Order(StringComparer.Ordinal), Is.EqualTo(Enumerable.Range(0, Connections).Select(i => $"{i}\n").Order(StringComparer.Ordinal)));
            Assert.That(ThreadPool.ThreadCount, Is.LessThan(threadsBefore + (Connections / 4)), "waiting reads must not have needed a thread each");
        }
        finally
        {
            foreach (MoonSocket socket in sockets)
            {
                socket.Reset();
            }

            foreach (Socket peer in peers)
            {
                peer.Dispose();
            }
        }
    }
}
