using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class MainListenerTests
{
    [Test]
    [CancelAfter(10_000)]
    public async Task TheMainHandlerRunsOnceWithItsNameAndReturningFalseStopsTheServer(CancellationToken cancellationToken)
    {
        int calls = 0;
        MoonSocket? seen = null;
        ListenOptions options = TestServer.Options(connect: socket =>
        {
            Interlocked.Increment(ref calls);
            seen = socket;
            return false;
        });
        options.Listeners.Add(ListenerSpec.Main("boot"));
        await using TestServer host = TestServer.Start(options);

        await host.Server.Completion.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

        Assert.That(calls, Is.EqualTo(1));
        Assert.That(seen, Is.Not.Null);
        Assert.That(seen!.Main, Is.EqualTo("boot"));
        Assert.That(seen.Interval, Is.Null);
        Assert.That(seen.HasConnection, Is.False);
        Assert.That(host.Server.WorkerCount, Is.Zero);
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AnAsyncMainHandlerReturningFalseAlsoStopsTheServer(CancellationToken cancellationToken)
    {
        var ran = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(async (socket, ct) =>
        {
            await Task.Yield();
            ran.TrySetResult(socket.Main);
            return false;
        });
        options.Listeners.Add(ListenerSpec.Main());
        await using TestServer host = TestServer.Start(options);

        await host.Server.Completion.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

        Assert.That(await ran.Task.WaitAsync(cancellationToken), Is.Empty, "an unnamed main listener passes the empty string");
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AMainHandlerReturningTrueKeepsTheServerRunning(CancellationToken cancellationToken)
    {
        var mainDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int mainCalls = 0;
        ListenOptions options = TestServer.Options(connect: socket =>
        {
            if (socket.Main is not null)
            {
                Interlocked.Increment(ref mainCalls);
                mainDone.TrySetResult();
                return true;
            }

            return EchoHandlers.Echo(socket);
        });

        // One worker: connections are served only after the main handler has handed it back.
        options.PreFork = 1;
        options.MinFork = 1;
        options.MaxFork = 1;
        options.Listeners.Add(ListenerSpec.Main("boot"));
        await using TestServer host = TestServer.StartTcp(options);

        await mainDone.Task.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "first", cancellationToken), Is.EqualTo("first"));

        // Had the server begun to stop after the main handler, this connection would be refused.
        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "second", cancellationToken), Is.EqualTo("second"));
        Assert.That(host.Server.Completion.IsCompleted, Is.False);
        Assert.That(mainCalls, Is.EqualTo(1));
    }
}
