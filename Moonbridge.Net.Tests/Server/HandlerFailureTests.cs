using System.Net.Sockets;
using Moonbridge.Net.IO;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class HandlerFailureTests
{
    [Test]
    [CancelAfter(20_000)]
    public async Task AThrowingHandlerCostsOnlyItsOwnConnection([Values] bool blocking)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        using var parked = new SemaphoreSlim(0);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // "boom" throws at once; "wait ..." lines park on the gate before they are echoed; others echo at once.
        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                IoData line = socket.Read(1024, '\n');
                Handle(line.Text);
                if (line.Text.StartsWith("wait", StringComparison.Ordinal))
                {
                    gate.Task.Wait(cancellationToken);
                }

                socket.Flush(line.Data);
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                IoData line = await socket.ReadAsync(1024, '\n', ct);
                Handle(line.Text);
                if (line.Text.StartsWith("wait", StringComparison.Ordinal))
                {
                    await gate.Task.WaitAsync(ct);
                }

                await socket.FlushAsync(line.Data, ct);
                return true;
            });
        await using TestServer host = TestServer.StartTcp(options);

        using TestClient first = await TestClient.ConnectAsync(host.Port, cancellationToken);
        using TestClient second = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await first.SendAsync("wait 1\n", cancellationToken);
        await second.SendAsync("wait 2\n", cancellationToken);
        Assert.That(await parked.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.True);
        Assert.That(await parked.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken), Is.True);

        using TestClient failing = await TestClient.ConnectAsync(host.Port, cancellationToken);
        await failing.SendAsync("boom\n", cancellationToken);
        ConnectionEnd failed = await failing.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

        Assert.That(failed.Data, Is.Empty, "the failing handler's client gets nothing");
        Assert.That(failed.Reset, Is.True, "and sees its connection reset");

        gate.SetResult();
        Assert.That(await first.ReadLineAsync(cancellationToken), Is.EqualTo("wait 1"));
        Assert.That(await second.ReadLineAsync(cancellationToken), Is.EqualTo("wait 2"));
        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "after", cancellationToken), Is.EqualTo("after"));
        Assert.That(host.Server.Completion.IsCompleted, Is.False);

        void Handle(string line)
        {
            if (line == "boom\n")
            {
                throw new InvalidOperationException("handler failure for the test");
            }

            if (line.StartsWith("wait", StringComparison.Ordinal))
            {
                parked.Release();
            }
        }
    }

    [Test]
    [CancelAfter(10_000)]
    public async Task AFailingPrepareHandlerDoesNotStopLaterConnectionsFromBeingServed(CancellationToken cancellationToken)
    {
        int prepares = 0;
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.Prepare = _ =>
        {
            if (Interlocked.Increment(ref prepares) == 1)
            {
                throw new InvalidOperationException("prepare failure for the test");
            }
        };
        options.ForkErrorDelay = TimeSpan.FromMilliseconds(50);
        await using TestServer host = TestServer.StartTcp(options);

        Assert.That(await TestClient.RoundTripAsync(host.EndPoint, "served", cancellationToken), Is.EqualTo("served"));
        Assert.That(prepares, Is.GreaterThanOrEqualTo(2));
    }
}
