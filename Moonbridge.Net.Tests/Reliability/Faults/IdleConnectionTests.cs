using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.Faults;

/// <summary>
/// The example server (its README command's process) holds 10,000 idle keep-alive connections, each of which made one
/// request, while one more client keeps requesting on its own connection: that client's latency stays low (p99 under
/// 10 ms), the held connections stay open and usable, and what they cost the server in resident memory is reported.
/// The server is a process of its own so that the 10,000 connections' two ends do not share one open-file limit.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class IdleConnectionTests
{
    private const int Held = 10_000;
    private const int OpeningAtOnce = 200;
    private const int MeasuredRequests = 1_000;
    private const int TestMilliseconds = 240_000;

    private static readonly byte[] s_head = "HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray();

    [Test]
    [CancelAfter(TestMilliseconds)]
    public async Task TenThousandIdleKeepAliveConnectionsLeaveAnActiveClientUnderTenMillisecondsAtP99(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Ignore("The open-file limit and resident memory are read from /proc here.");
        }

        long ownLimit = FileDescriptorLimit.EnsureAtLeast(Held + 1_000);
        if (ownLimit < Held + 1_000)
        {
            Assert.Ignore($"This process may open {ownLimit} files; holding {Held} connections needs {Held + 1_000}.");
        }

        using ExampleServerProcess server = await ExampleServerProcess.StartAsync(cancellationToken, "--max-connections", (Held + 2_000).ToString(CultureInfo.InvariantCulture));
        var endPoint = new IPEndPoint(IPAddress.Loopback, server.Port);
        using TestClient active = await TestClient.ConnectAsync(server.Port, cancellationToken);
        await RequestAsync(active, cancellationToken);
        long rssBefore = ResidentBytes(server.ProcessId);

        var held = new List<Socket>(Held);
        try
        {
            for (int opened = 0; opened < Held; opened += OpeningAtOnce)
            {
                Socket[] batch = await Task.WhenAll(Enumerable.Range(0, Math.Min(OpeningAtOnce, Held - opened)).Select(_ => OpenIdleAsync(endPoint, cancellationToken)));
                held.AddRange(batch);
            }

            // Let the server settle (its handlers park, its buffers go back) before measuring memory and latency.
            for (int i = 0; i < 50; i++)
            {
                await RequestAsync(active, cancellationToken);
            }

            long rssHolding = ResidentBytes(server.ProcessId);
            var latencies = new double[MeasuredRequests];
            for (int i = 0; i < MeasuredRequests; i++)
            {
                long started = Stopwatch.GetTimestamp();
                await RequestAsync(active, cancellationToken);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }

            Array.Sort(latencies);
            double p50 = latencies[MeasuredRequests / 2];
            double p99 = latencies[(MeasuredRequests * 99 / 100) - 1];
            double perConnection = (rssHolding - rssBefore) / (double)Held;
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Held} idle connections held: active client p50 {p50:F3} ms, p99 {p99:F3} ms, max {latencies[^1]:F3} ms; server RSS {rssBefore / 1024} KiB before, {rssHolding / 1024} KiB holding ({perConnection:F0} B per idle connection)."));

            Assert.That(server.IsRunning, Is.True, server.Output);
            foreach (Socket socket in held)
            {
                Assert.That(socket.Poll(0, SelectMode.SelectRead), Is.False, "an idle connection was closed or answered out of turn");
            }

            // Held connections are still served: a sample of them asks again.
            for (int i = 0; i < Held; i += Held / 20)
            {
                await held[i].SendAsync(s_head, cancellationToken);
                await ReadHeadAsync(held[i], cancellationToken);
            }

            Assert.That(p99, Is.LessThan(10.0), $"p99 latency of the active client while {Held} connections idle");
        }
        finally
        {
            foreach (Socket socket in held)
            {
                socket.Dispose();
            }
        }
    }

    private static async Task<Socket> OpenIdleAsync(EndPoint endPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(endPoint, cancellationToken);
            await socket.SendAsync(s_head, cancellationToken);
            await ReadHeadAsync(socket, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task RequestAsync(TestClient client, CancellationToken cancellationToken)
    {
        await client.SendAsync(s_head, cancellationToken);
        RawHttpResponse response = await client.ReadResponseAsync(cancellationToken, forHead: true);
        Assert.That(response.StatusCode, Is.LessThan(400), response.Status);
    }

    /// <summary>Reads one response head (a HEAD response has no body).</summary>
    private static async Task ReadHeadAsync(Socket socket, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        int length = 0;
        while (length < buffer.Length)
        {
            int read = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                throw new IOException("The server closed an idle connection before answering: " + Encoding.ASCII.GetString(buffer, 0, length));
            }

            length += read;
            if (buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8) >= 0)
            {
                return;
            }
        }

        throw new IOException("The response head did not end within 4 KiB.");
    }

    private static long ResidentBytes(int processId)
    {
        string? line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        string[] fields = (line ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 1 ? long.Parse(fields[1], CultureInfo.InvariantCulture) * 1024 : 0;
    }
}
