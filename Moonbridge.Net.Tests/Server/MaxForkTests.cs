using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class MaxForkTests
{
    private const int MaxFork = 3;
    private const int Clients = 8;

    [Test]
    [CancelAfter(20_000)]
    public async Task MaxForkBoundsTheHandlersRunningAtOnceAndTheRestAreServedLater([Values] bool blocking)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        int running = 0;
        int maxRunning = 0;
        using var entered = new SemaphoreSlim(0);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                IoData line = socket.Read(1024, '\n');
                Enter();
                gate.Task.Wait(cancellationToken);
                Leave();
                socket.Flush(line.Data);
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                IoData line = await socket.ReadAsync(1024, '\n', ct);
                Enter();
                await gate.Task.WaitAsync(ct);
                Leave();
                await socket.FlushAsync(line.Data, ct);
                return true;
            });
        options.MaxFork = MaxFork;
        await using TestServer host = TestServer.StartTcp(options);

        var clients = new List<TestClient>();
        try
        {
            TestClient[] connected = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async i =>
            {
                TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
                await client.SendAsync($"client {i}\n", cancellationToken);
                return client;
            }));
            clients.AddRange(connected);

            for (int i = 0; i < MaxFork; i++)
            {
                Assert.That(await entered.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.True, $"handler {i + 1} did not start");
            }

            Assert.That(Volatile.Read(ref running), Is.EqualTo(MaxFork));
            Assert.That(host.Server.ActiveHandlerCount, Is.EqualTo(MaxFork));
            Assert.That(host.Server.WorkerCount, Is.LessThanOrEqualTo(MaxFork));

            gate.SetResult();
            string?[] replies = await Task.WhenAll(clients.Select(c => c.ReadLineAsync(cancellationToken)));

            Assert.That(replies, Is.EquivalentTo(Enumerable.Range(0, Clients).Select(i => $"client {i}")));
            Assert.That(maxRunning, Is.EqualTo(MaxFork));
        }
        finally
        {
            gate.TrySetResult();
            clients.ForEach(c => c.Dispose());
        }

        void Enter()
        {
            int now = Interlocked.Increment(ref running);
            int seen;
            while (now > (seen = Volatile.Read(ref maxRunning)) && Interlocked.CompareExchange(ref maxRunning, now, seen) != seen)
            {
            }

            entered.Release();
        }

        void Leave() => Interlocked.Decrement(ref running);
    }
}
