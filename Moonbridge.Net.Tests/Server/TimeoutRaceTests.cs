using System.Net.Sockets;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

[TestFixture]
public sealed class TimeoutRaceTests
{
    private const int Connections = 400;

    [Test]
    [CancelAfter(30_000)]
    public async Task HandlersThatEndAsSoonAsTheirTimeoutResetsTheConnectionFindTheirTokenCancelled([Values] bool blocking)
    {
        CancellationToken cancellationToken = TestContext.CurrentContext.CancellationToken;
        int notCancelled = 0;
        int ended = 0;
        var allEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The handler wakes only through the reset (its read takes no token) and returns at once, racing the timer thread.
        ListenOptions options = blocking
            ? TestServer.Options(connect: socket =>
            {
                MoonbridgeServer.Timeout(0.02);
                socket.Read(1024, '\n');
                Record(MoonbridgeServer.HandlerCancellation.IsCancellationRequested);
                return true;
            })
            : TestServer.Options(async (socket, ct) =>
            {
                MoonbridgeServer.Timeout(0.02);
                await socket.ReadAsync(1024, '\n', CancellationToken.None);
                Record(ct.IsCancellationRequested);
                return true;
            });
        options.MaxFork = 50;
        await using TestServer host = TestServer.StartTcp(options);

        ConnectionEnd[] clients = await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            try
            {
                using TestClient client = await TestClient.ConnectAsync(host.Port, cancellationToken);
                return await client.ReadToEndAsync(cancellationToken);
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Under load the reset can overtake the client's own view of the connect completing.
                return new ConnectionEnd([], Reset: true);
            }
        }));

        Assert.That(clients.Select(c => c.Reset), Has.All.True);
        await allEnded.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        Assert.That(host.Server.Completion.IsCompleted, Is.False);
        Assert.That(notCancelled, Is.Zero, "a handler woken by its timeout's reset finds its token already cancelled");

        void Record(bool cancelled)
        {
            if (!cancelled)
            {
                Interlocked.Increment(ref notCancelled);
            }

            if (Interlocked.Increment(ref ended) == Connections)
            {
                allEnded.TrySetResult();
            }
        }
    }
}
