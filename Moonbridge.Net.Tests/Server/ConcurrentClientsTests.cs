using System.Diagnostics;
using System.Net.Sockets;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class ConcurrentClientsTests
{
    private const int Clients = 1000;
    private const int ConnectBatch = 100;

    [Test]
    [CancelAfter(60_000)]
    public async Task AThousandConcurrentClientsAllGetTheirOwnLineEchoed(CancellationToken cancellationToken)
    {
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.MaxFork = Clients + 100;
        options.PreFork = 1;
        await using TestServer host = TestServer.StartTcp(options);

        var clock = Stopwatch.StartNew();
        var clients = new List<TestClient>(Clients);
        try
        {
            // Connect in batches so the listener's backlog never overflows; every connection stays open.
            for (int start = 0; start < Clients; start += ConnectBatch)
            {
                clients.AddRange(await Task.WhenAll(Enumerable.Range(start, Math.Min(ConnectBatch, Clients - start))
                    .Select(_ => TestClient.ConnectAsync(host.Port, cancellationToken))));
            }

            TimeSpan connected = clock.Elapsed;
            string?[] replies = await Task.WhenAll(clients.Select(async (client, i) =>
            {
                await client.SendAsync($"client {i:D4} says hello\n", cancellationToken);
                return await client.ReadLineAsync(cancellationToken);
            }));
            TestContext.Out.WriteLine($"{Clients} clients: connected in {connected.TotalMilliseconds:F0} ms, all echoed after {clock.Elapsed.TotalMilliseconds:F0} ms");

            Assert.That(replies, Is.EqualTo(Enumerable.Range(0, Clients).Select(i => $"client {i:D4} says hello")));
            Assert.That(host.Server.ActiveHandlerCount, Is.EqualTo(Clients), "every connection has its own running handler");
            Assert.That(host.Server.WorkerCount, Is.LessThanOrEqualTo(options.MaxFork));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }
}
