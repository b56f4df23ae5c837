using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Tests.Reliability.Faults;

namespace Moonbridge.Net.Tests.Reliability.Limits;

/// <summary>
/// A server whose process may open only 256 files, offered 300 connections: it keeps descriptors in
/// reserve instead of running out (which took the whole process down), says so once, and serves again
/// when connections close.
/// </summary>
[TestFixture]
public sealed class DescriptorLimitTests
{
    private const int FileLimit = 256;
    private const int Connections = 300;
    private const string PausedMessage = "file descriptors are running out";

    [Test]
    [CancelAfter(90_000)]
    public async Task MoreConnectionsThanTheOpenFileLimitPauseAcceptingAndTheServerSurvives(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("RLIMIT_NOFILE and ulimit are Linux facilities here.");
        }

        // This side needs a descriptor per connection too.
        Assert.That(FileDescriptorLimit.EnsureAtLeast(Connections + 1024), Is.GreaterThanOrEqualTo(Connections + 512));
        using ExampleServerProcess server = await ExampleServerProcess.StartAsync(FileLimit, cancellationToken);
        Assert.That(server.CountOutputLines("exceeds the process's open-file limit"), Is.EqualTo(1), server.Output);

        var sockets = new List<Socket>();
        try
        {
            // The kernel completes every handshake (the backlog holds what the server does not accept).
            for (int i = 0; i < Connections; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
            }

            await WaitForAsync(() => server.CountOutputLines(PausedMessage) > 0, TimeSpan.FromSeconds(20), cancellationToken);

            // Held at the limit for a while: the process lives on and reports the shortage once.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            Assert.That(server.IsRunning, Is.True, server.Output);
            Assert.That(server.CountOutputLines(PausedMessage), Is.EqualTo(1), server.Output);

            // Most clients leave; a new client is served.
            foreach (Socket socket in sockets.Take(Connections - 50))
            {
                socket.Close();
            }

            using TestClient client = await TestClient.ConnectAsync(server.Port, cancellationToken);
            client.Wait = TimeSpan.FromSeconds(20);
            await client.SendAsync("GET /example_webpage.html HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n", cancellationToken);
            RawHttpResponse response = await client.ReadResponseAsync(cancellationToken);
            Assert.That(response.StatusCode, Is.EqualTo(200), server.Output);
            Assert.That(server.IsRunning, Is.True, server.Output);
            Assert.That(server.CountOutputLines("accepting resumed"), Is.GreaterThanOrEqualTo(1), server.Output);
        }
        finally
        {
            foreach (Socket socket in sockets)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
