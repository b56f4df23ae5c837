using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.SlowClients;

/// <summary>
/// Slow clients against the per-phase timeouts: each kind of attacker has its connection ended within
/// the bound of its phase, while a normal client, connecting anew for every request, keeps being served.
/// Time bounds asserted here are generous; the figures are written to the test output.
/// </summary>
[TestFixture]
public sealed class SlowClientTests
{
    private const int Attackers = 20;

    /// <summary>The timeout each phase gets in these tests.</summary>
    private static readonly TimeSpan s_bound = TimeSpan.FromSeconds(1.5);

    /// <summary>How much later than its bound an attacker's connection may end (slow CI machines).</summary>
    private static readonly TimeSpan s_slack = TimeSpan.FromSeconds(8);

    public enum Attack
    {
        /// <summary>Connects and never sends a byte (idle timeout).</summary>
        Silent,

        /// <summary>Sends one request, then keeps the connection open without a second (idle keep-alive timeout).</summary>
        IdleKeepAlive,

        /// <summary>Sends a request head a byte at a time, never finishing it (request header timeout).</summary>
        Slowloris,

        /// <summary>Sends the body of a POST slowly, always before the stall timeout (minimum body data rate).</summary>
        SlowPost,

        /// <summary>Asks for a large response and never reads it (stall timeout on output).</summary>
        SlowReader,
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ASlowClientIsCutOffWithinItsBoundWhileANormalClientIsServed(
        [Values] Attack attack, CancellationToken cancellationToken)
    {
        HttpOptions options = TestServer.BoundedHttpOptions();
        switch (attack)
        {
            case Attack.Silent or Attack.IdleKeepAlive:
                options.IdleTimeout = s_bound;
                break;
            case Attack.Slowloris:
                options.RequestHeaderTimeout = s_bound;
                break;
            case Attack.SlowPost:
                options.MinimumRequestBodyDataRate = 1000;
                options.MinimumRequestBodyDataRateGracePeriod = s_bound;
                break;
            case Attack.SlowReader:
                options.StallTimeout = s_bound;
                break;
        }

        await using TestServer server = TestServer.StartHttp(options, HandleAsync, maxConnections: 256);
        using var stopTrickle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var attackers = new List<Task<(TimeSpan Lasted, ConnectionEnd End)>>();
        for (int i = 0; i < Attackers; i++)
        {
            attackers.Add(RunAttackerAsync(attack, server.Port, stopTrickle.Token));
        }

        double[] latencies = await NormalTraffic.MeasureAsync(server.Port, 50, cancellationToken);
        (TimeSpan Lasted, ConnectionEnd End)[] ends = await Task.WhenAll(attackers);
        await stopTrickle.CancelAsync();

        TimeSpan longest = ends.Max(e => e.Lasted);
        TestContext.Out.WriteLine($"{attack}: {Attackers} attackers ended after at most {longest.TotalSeconds:F2} s (bound {s_bound.TotalSeconds} s); normal client {NormalTraffic.Describe(latencies)}");
        Assert.That(longest, Is.LessThan(s_bound + s_slack));
        Assert.That(NormalTraffic.Percentile(latencies, 99), Is.LessThan(2000), "normal requests are not held up");
        foreach ((TimeSpan _, ConnectionEnd end) in ends)
        {
            switch (attack)
            {
                case Attack.Silent or Attack.IdleKeepAlive:
                    Assert.That(end.Text, Is.Empty, "an idle connection is closed silently");
                    break;
                case Attack.Slowloris:
                    Assert.That(end.Text, Does.StartWith("HTTP/1.1 408 "));
                    break;
                case Attack.SlowPost:
                    Assert.That(end.Text, Does.StartWith("HTTP/1.1 408 ").And.Contain("Request body data rate too low"));
                    break;
            }
        }
    }

    [Test]
    [CancelAfter(90_000)]
    public async Task FiveHundredSlowlorisConnectionsDoNotHoldUpNormalClients(CancellationToken cancellationToken)
    {
        const int slowloris = 500;
        HttpOptions options = TestServer.BoundedHttpOptions();
        options.RequestHeaderTimeout = TimeSpan.FromSeconds(4);
        await using TestServer server = TestServer.StartHttp(options, HandleAsync, maxConnections: 1024);

        double[] baseline = await NormalTraffic.MeasureAsync(server.Port, 200, cancellationToken);

        var sockets = new List<Socket>();
        try
        {
            long attackStarted = Stopwatch.GetTimestamp();
            for (int i = 0; i < slowloris; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, server.Port), cancellationToken);
                socket.Send("GET / HTTP/1.1\r\nHost: test\r\nX-Slow: "u8);
            }

            TimeSpan opening = Stopwatch.GetElapsedTime(attackStarted);

            // Every attacker trickles a byte per 500 ms until its connection ends.
            using var stopTrickle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task trickle = TrickleAsync(sockets, stopTrickle.Token);
            Task<TimeSpan>[] ends = [.. sockets.Select(s => WaitForEndAsync(s, attackStarted, cancellationToken))];

            double[] underAttack = await NormalTraffic.MeasureAsync(server.Port, 200, cancellationToken);
            TimeSpan[] lasted = await Task.WhenAll(ends).WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
            await stopTrickle.CancelAsync();
            await trickle;

            TestContext.Out.WriteLine($"Without attack: {NormalTraffic.Describe(baseline)}");
            TestContext.Out.WriteLine($"With {slowloris} slowloris connections: {NormalTraffic.Describe(underAttack)}");
            TestContext.Out.WriteLine($"Slowloris connections ended after {lasted.Min().TotalSeconds:F2}..{lasted.Max().TotalSeconds:F2} s (header timeout 4 s, all opened within {opening.TotalSeconds:F2} s)");
            Assert.That(NormalTraffic.Percentile(underAttack, 99), Is.LessThan(2000));
            Assert.That(lasted.Max(), Is.LessThan(TimeSpan.FromSeconds(40)), "every slowloris connection is ended by the header timeout");
        }
        finally
        {
            sockets.ForEach(s => s.Dispose());
        }
    }

    private static async ValueTask<bool> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.Path == "big")
        {
            byte[] piece = new byte[64 * 1024];
            request.SendStatus(200);
            for (int i = 0; i < 1024; i++)
            {
                await request.SendDataAsync(piece);
            }

            return true;
        }

        return await PathBodyEcho.HandleAsync(request, cancellationToken);
    }

    private static async Task<(TimeSpan Lasted, ConnectionEnd End)> RunAttackerAsync(Attack attack, int port, CancellationToken trickleToken)
    {
        using TestClient client = await TestClient.ConnectAsync(port, trickleToken);
        client.Wait = TimeSpan.FromSeconds(30);
        long started = Stopwatch.GetTimestamp();
        switch (attack)
        {
            case Attack.IdleKeepAlive:
                await client.SendAsync("GET /once HTTP/1.1\r\nHost: test\r\n\r\n", trickleToken);
                await client.ReadResponseAsync(trickleToken);
                started = Stopwatch.GetTimestamp();
                break;
            case Attack.Slowloris:
                await client.SendAsync("GET /slow HTTP/1.1\r\nHost: test\r\n", trickleToken);
                _ = TrickleAsync([client.Socket], trickleToken);
                break;
            case Attack.SlowPost:
                await client.SendAsync("POST /slow HTTP/1.1\r\nHost: test\r\nContent-Length: 100000\r\n\r\n", trickleToken);
                _ = TrickleAsync([client.Socket], trickleToken);
                break;
            case Attack.SlowReader:
                client.Socket.ReceiveBufferSize = 32 * 1024;
                await client.SendAsync("GET /big HTTP/1.1\r\nHost: test\r\n\r\n", trickleToken);
                break;
        }

        if (attack == Attack.SlowReader)
        {
            // Never read: only notice when the server gives up on the connection.
            await WaitForResetAsync(client.Socket, trickleToken);
            return (Stopwatch.GetElapsedTime(started), new ConnectionEnd([], Reset: true));
        }

        ConnectionEnd end = await client.ReadToEndAsync(CancellationToken.None);
        return (Stopwatch.GetElapsedTime(started), end);
    }

    /// <summary>Sends one byte per 500 ms on every socket still open (header bytes or body bytes alike).</summary>
    private static async Task TrickleAsync(IReadOnlyList<Socket> sockets, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        byte[] one = "a"u8.ToArray();
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                int open = 0;
                foreach (Socket socket in sockets)
                {
                    try
                    {
                        socket.Send(one, SocketFlags.None, out SocketError error);
                        open += error == SocketError.Success ? 1 : 0;
                    }
                    catch (ObjectDisposedException)
                    {
                    }
                }

                if (open == 0)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<TimeSpan> WaitForEndAsync(Socket socket, long started, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken) > 0)
            {
            }
        }
        catch (SocketException)
        {
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Waits, without reading data, until the server resets the connection: probes with a send.</summary>
    private static async Task WaitForResetAsync(Socket socket, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        byte[] probe = Encoding.ASCII.GetBytes("x");
        while (await timer.WaitForNextTickAsync(cancellationToken))
        {
            try
            {
                // After the server's RST, a send fails; before it, the bytes are just unread input.
                if (socket.Poll(0, SelectMode.SelectError) || socket.Send(probe, SocketFlags.None, out SocketError error) == 0 && error != SocketError.WouldBlock && error != SocketError.Success)
                {
                    return;
                }
            }
            catch (SocketException)
            {
                return;
            }
        }
    }
}
