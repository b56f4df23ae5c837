using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.Server;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Server;

/// <summary>
/// <see cref="MoonbridgeServer.RunUntilSignalAsync"/> without a signal: its token stops the server gracefully,
/// and it returns when the server stops by other means. (The signals themselves are sent to the example
/// processes in Examples/ and HandOff/; a test must not signal its own test host.)
/// </summary>
[TestFixture]
public sealed class RunUntilSignalTests
{
    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task CancellingItsTokenStopsTheServerGracefully(CancellationToken cancellationToken)
    {
        var handling = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ListenOptions options = TestServer.Options(async (socket, token) =>
        {
            CancellationToken stopRequested = MoonbridgeServer.StopRequested;
            handling.TrySetResult();
            var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using (stopRequested.Register(() => stopping.TrySetResult()))
            {
                await stopping.Task.WaitAsync(token);
            }

            // A graceful stop lets the exchange in progress finish.
            await socket.FlushAsync("finished after the stop request\n", token);
            return false;
        });
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        MoonbridgeServer server = MoonbridgeServer.Listen(options);
        int port = server.Listeners[0].Port!.Value;
        using var stop = new CancellationTokenSource();
        Task running = server.RunUntilSignalAsync(stop.Token);
        try
        {
            using TestClient client = await TestClient.ConnectAsync(port, cancellationToken);
            await handling.Task.WaitAsync(TestTimeouts.Wait, cancellationToken);
            Assert.That(running.IsCompleted, Is.False, "running until a signal or the token");

            await stop.CancelAsync();

            Assert.That(await client.ReadLineAsync(cancellationToken), Is.EqualTo("finished after the stop request"));
            await running.WaitAsync(TestTimeouts.Wait, cancellationToken);
            Assert.That(server.Completion.IsCompletedSuccessfully, Is.True);
            Assert.That(
                async () => await TestClient.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken),
                Throws.InstanceOf<SocketException>().With.Property(nameof(SocketException.SocketErrorCode)).EqualTo(SocketError.ConnectionRefused),
                "the listener is closed");
        }
        finally
        {
            await server.Abort().WaitAsync(TestTimeouts.Wait, CancellationToken.None);
        }
    }

    [Test]
    [CancelAfter(TestTimeouts.TestMilliseconds)]
    public async Task ItReturnsWhenTheServerIsStoppedOtherwise(CancellationToken cancellationToken)
    {
        ListenOptions options = TestServer.Options(EchoHandlers.EchoAsync);
        options.Listeners.Add(ListenerSpec.Tcp("127.0.0.1", 0));
        MoonbridgeServer server = MoonbridgeServer.Listen(options);
        try
        {
            Task running = server.RunUntilSignalAsync(cancellationToken);
            Assert.That(await TestClient.RoundTripAsync(new IPEndPoint(IPAddress.Loopback, server.Listeners[0].Port!.Value), "serving", cancellationToken), Is.EqualTo("serving"));

            await server.StopAsync();

            await running.WaitAsync(TestTimeouts.Wait, cancellationToken);
            Assert.That(running.IsCompletedSuccessfully, Is.True);
        }
        finally
        {
            await server.Abort().WaitAsync(TestTimeouts.Wait, CancellationToken.None);
        }
    }
}
