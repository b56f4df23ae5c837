using System.Collections.Concurrent;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class PrepareFinishTests
{
    private static readonly string[] s_bothPreparedStates = ["prepared 1", "prepared 2"];

    [Test]
    [CancelAfter(20_000)]
    public async Task AKeptWorkerIsReusedAndARetiredOneFinishesAndIsReplacedByAFreshlyPreparedOne([Values] bool blocking)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        int prepared = 0;
        int finished = 0;
        var finishedStates = new ConcurrentQueue<object?>();

        // The reply names the worker's prepared state as the connect handler finds it; "retire" returns false.
        string Reply() => $"{WorkerContext.Current?.State} call {WorkerContext.Current?.Calls}";
        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                string line = socket.Read(1024, '\n').Text.TrimEnd('\n');
                socket.Flush(Reply() + "\n");
                return line != "retire";
            })
            : TestServer.Options(async (socket, ct) =>
            {
                string line = (await socket.ReadAsync(1024, '\n', ct)).Text.TrimEnd('\n');
                await socket.FlushAsync(Reply() + "\n", ct);
                return line != "retire";
            });
        options.Prepare = worker => worker.State = $"prepared {Interlocked.Increment(ref prepared)}";
        options.Finish = worker =>
        {
            finishedStates.Enqueue(worker.State);
            Interlocked.Increment(ref finished);
        };

        // One worker, started on demand: every count below is deterministic.
        options.PreFork = 0;
        options.MinFork = 0;
        options.MaxFork = 1;
        TestServer host = TestServer.StartTcp(options);
        try
        {
            Assert.That(await Ask("keep"), Is.EqualTo("prepared 1 call 1"));
            Assert.That(await Ask("keep"), Is.EqualTo("prepared 1 call 2"), "a kept worker is reused without a new prepare");
            Assert.That(await Ask("retire"), Is.EqualTo("prepared 1 call 3"));
            Assert.That(await Ask("keep"), Is.EqualTo("prepared 2 call 1"), "the next connection gets a freshly prepared worker");
            Assert.That(Volatile.Read(ref finished), Is.EqualTo(1), "the retired worker has finished");
            Assert.That(Volatile.Read(ref prepared), Is.EqualTo(2));
        }
        finally
        {
            await host.DisposeAsync();
        }

        Assert.That(finished, Is.EqualTo(prepared));
        Assert.That(finishedStates, Is.EqualTo(s_bothPreparedStates), "finish sees the state its worker's prepare set");

        Task<string?> Ask(string line) => TestClient.RoundTripAsync(host.EndPoint, line, cancellationToken);
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task AfterStopAsyncEveryPreparedWorkerHasFinished(CancellationToken cancellationToken)
    {
        int prepared = 0;
        int finished = 0;
        int served = 0;
        ListenOptions options = TestServer.Options(async (socket, ct) =>
        {
            IoData line = await socket.ReadAsync(1024, '\n', ct);
            await socket.FlushAsync(line.Data, ct);

            // Every third connection retires its worker.
            return Interlocked.Increment(ref served) % 3 != 0;
        });
        options.PrepareAsync = async (worker, ct) =>
        {
            await Task.Yield();
            Interlocked.Increment(ref prepared);
        };
        options.FinishAsync = async (worker, ct) =>
        {
            await Task.Yield();
            Interlocked.Increment(ref finished);
        };
        options.PreFork = 2;
        options.MinFork = 3;
        options.MaxFork = 6;
        TestServer host = TestServer.StartTcp(options);
        try
        {
            for (int round = 0; round < 3; round++)
            {
                string?[] replies = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => TestClient.RoundTripAsync(host.EndPoint, $"r{round} c{i}", cancellationToken)));
                Assert.That(replies, Is.EquivalentTo(Enumerable.Range(0, 4).Select(i => $"r{round} c{i}")));
            }
        }
        finally
        {
            await host.Server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }

        Assert.That(prepared, Is.GreaterThanOrEqualTo(3), "at least MinFork workers were prepared");
        Assert.That(finished, Is.EqualTo(prepared));
        Assert.That(host.Server.WorkerCount, Is.Zero);
    }
}
