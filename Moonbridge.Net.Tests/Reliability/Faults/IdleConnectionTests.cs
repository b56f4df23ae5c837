using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;
using Moonbridge.Net.Tests.Reliability.SlowClients;

namespace Moonbridge.Net.Tests.Reliability.Faults;

/// <summary>
/// Ten thousand idle keep-alive connections held open while a normal client is served; the server's
/// memory per idle connection is measured and printed. Both ends live in this process, so the count is
/// lowered to what the file-descriptor limit allows when it cannot be raised.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class IdleConnectionTests
{
    private const int Wanted = 10_000;

    [Test]
    [CancelAfter(150_000)]
    public async Task TenThousandIdleKeepAliveConnectionsAreHeldWhileANormalClientIsServed(CancellationToken cancellationToken)
    {
        long fdLimit = FileDescriptorLimit.EnsureAtLeast((2 * Wanted) + 4096);
        int openNow = OperatingSystem.IsLinux() ? Directory.GetFiles("/proc/self/fd").Length : 0;
        int count = (int)Math.Min(Wanted, (fdLimit - openNow - 256) / 2);
        Assert.That(count, Is.GreaterThan(1000), "the file-descriptor limit allows too few connections for this test");
        HttpOptions options = TestServer.BoundedHttpOptions();
        options.IdleTimeout = TimeSpan.FromMinutes(5);
        await using TestServer server = TestServer.StartHttp(options, PathBodyEcho.HandleAsync, maxConnections: count + 100, configure: o => o.Backlog = 4096);

        // Warm up (thread pool, JIT, first workers) before the baseline.
        double[] baseline = await NormalTraffic.MeasureAsync(server.Port, 100, cancellationToken);
        (long managedBefore, long workingSetBefore) = Measure();

        var sockets = new Socket[count];
        long started = Stopwatch.GetTimestamp();
        try
        {
            const int batch = 250;
            for (int from = 0; from < count; from += batch)
            {
                Task[] opening = [.. Enumerable.Range(from, Math.Min(batch, count - from)).Select(i => OpenIdleAsync(sockets, i, server.Port, cancellationToken))];
                await Task.WhenAll(opening);
            }

            TimeSpan opened = Stopwatch.GetElapsedTime(started);
            (long managedAfter, long workingSetAfter) = Measure();
            Assert.That(server.Server.ActiveHandlerCount, Is.EqualTo(count), "every idle connection is still held");

            double[] underLoad = await NormalTraffic.MeasureAsync(server.Port, 100, cancellationToken);

            // Every idle connection is still usable afterwards: a sample of them is asked again.
            for (int i = 0; i < count; i += count / 20)
            {
                await RequestAsync(sockets[i], i, cancellationToken);
            }

            TestContext.Out.WriteLine($"{count} idle keep-alive connections opened and served in {opened.TotalSeconds:F1} s (file-descriptor limit {fdLimit}, {openNow} open before; each connection needs two, one per end).");
            TestContext.Out.WriteLine(FormattableString.Invariant(
                $"Memory per idle connection: {(managedAfter - managedBefore) / (double)count:F0} B managed heap, {(workingSetAfter - workingSetBefore) / (double)count:F0} B working set (both include this test's client Socket objects)."));
            TestContext.Out.WriteLine($"Normal client without idle connections: {NormalTraffic.Describe(baseline)}");
            TestContext.Out.WriteLine($"Normal client with {count} idle connections: {NormalTraffic.Describe(underLoad)}");
            Assert.That(NormalTraffic.Percentile(underLoad, 99), Is.LessThan(2000));
        }
        finally
        {
            foreach (Socket? socket in sockets)
            {
                socket?.Dispose();
            }
        }
    }

    private static async Task OpenIdleAsync(Socket[] sockets, int index, int port, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        sockets[index] = socket;
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        await RequestAsync(socket, index, cancellationToken);
    }

    /// <summary>One small request; the echo response is short enough to arrive in one piece on loopback, but is read until complete.</summary>
    private static async Task RequestAsync(Socket socket, int index, CancellationToken cancellationToken)
    {
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /i{index} HTTP/1.1\r\nHost: test\r\n\r\n"), cancellationToken);
        string expectedBody = $"i{index}:";
        var received = new StringBuilder();
        byte[] buffer = new byte[1024];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!received.ToString().EndsWith("\r\n\r\n" + expectedBody, StringComparison.Ordinal))
        {
            int read = await socket.ReceiveAsync(buffer, timeout.Token);
            if (read == 0)
            {
                throw new EndOfStreamException($"Connection {index} ended: {received}");
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        Assert.That(received.ToString(), Does.StartWith("HTTP/1.1 200 "));
    }

    private static (long Managed, long WorkingSet) Measure()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        return (GC.GetTotalMemory(forceFullCollection: true), process.WorkingSet64);
    }
}
