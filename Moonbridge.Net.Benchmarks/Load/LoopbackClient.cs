using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// The fallback load generator when wrk is missing: keep-alive connections over raw sockets, each writing
/// <see cref="Scenario.Depth"/> requests at a time and reading as many Content-Length-framed responses; or,
/// for <see cref="Scenario.CloseEach"/>, a new connection per request (<c>Connection: close</c>).
/// Bounded by time and by a total request count.
/// </summary>
internal static class LoopbackClient
{
    private const long MaxRequests = 5_000_000;

    public static async Task<Measurement> RunAsync(int port, Scenario scenario, int connections, TimeSpan duration, int uploadBytes)
    {
        long total = 0;
        long errors = 0;
        var latencies = new List<long>[connections];
        using var stop = new CancellationTokenSource(duration);
        using var hardStop = new CancellationTokenSource(duration + TimeSpan.FromSeconds(5));
        var stopwatch = Stopwatch.StartNew();
        var tasks = new Task[connections];
        for (int c = 0; c < connections; c++)
        {
            int connection = c;
            latencies[c] = new List<long>(1024);
            tasks[c] = Task.Run(async () =>
            {
                try
                {
                    Func<bool> done = () => stop.IsCancellationRequested || Interlocked.Read(ref total) >= MaxRequests;
                    Action<long> count = n => Interlocked.Add(ref total, n);
                    if (scenario.CloseEach)
                    {
                        await ConnectionPerRequestLoopAsync(port, scenario, latencies[connection], done, count, hardStop.Token);
                    }
                    else
                    {
                        await ConnectionLoopAsync(port, scenario, connection, uploadBytes, latencies[connection], done, count, hardStop.Token);
                    }
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException)
                {
                    Interlocked.Increment(ref errors);
                }
            });
        }

        await Task.WhenAll(tasks);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        long[] all = latencies.SelectMany(l => l).Order().ToArray();
        return new Measurement
        {
            Rate = total > 0 ? total / seconds : null,
            Requests = total,
            P50 = Percentile(all, 0.50),
            P99 = Percentile(all, 0.99),
            Errors = errors,
            Note = total > 0 ? null : "built-in client completed no request",
        };
    }

    private static string Percentile(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return "-";
        }

        long ticks = sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
        double ms = ticks * 1000.0 / Stopwatch.Frequency;
        return ms < 1 ? (ms * 1000).ToString("0.00", CultureInfo.InvariantCulture) + "us" : ms.ToString("0.00", CultureInfo.InvariantCulture) + "ms";
    }

    private static async Task ConnectionPerRequestLoopAsync(int port, Scenario scenario, List<long> latencies, Func<bool> done, Action<long> count, CancellationToken cancellationToken)
    {
        byte[] request = Encoding.ASCII.GetBytes($"GET {scenario.Path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
        while (!done())
        {
            long start = Stopwatch.GetTimestamp();
            using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true })
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                await socket.SendAsync(request, cancellationToken);
                int status = await new ResponseReader(socket, 4096).ReadResponseAsync(cancellationToken);
                if (status is < 200 or > 399)
                {
                    throw new InvalidDataException($"status {status}");
                }
            }

            latencies.Add(Stopwatch.GetTimestamp() - start);
            count(1);
        }
    }

    private static async Task ConnectionLoopAsync(int port, Scenario scenario, int connection, int uploadBytes, List<long> latencies, Func<bool> done, Action<long> count, CancellationToken cancellationToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
        bool upload = scenario.Path == "/upload";
        byte[] body = upload ? new byte[uploadBytes] : [];
        byte[]? fixedRequest = upload ? null : Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat($"GET {scenario.Path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n", scenario.Depth)));
        var reader = new ResponseReader(socket);
        long sequence = 0;
        while (!done())
        {
            long start = Stopwatch.GetTimestamp();
            if (fixedRequest is not null)
            {
                await socket.SendAsync(fixedRequest, cancellationToken);
            }
            else
            {
                sequence++;
                byte[] head = Encoding.ASCII.GetBytes($"POST /upload?X-Progress-Id=c{connection}n{sequence} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\n\r\n");
                await socket.SendAsync(head, cancellationToken);
                await socket.SendAsync(body, cancellationToken);
            }

            for (int i = 0; i < scenario.Depth; i++)
            {
                int status = await reader.ReadResponseAsync(cancellationToken);
                if (status is < 200 or > 399)
                {
                    throw new InvalidDataException($"status {status}");
                }
            }

            latencies.Add(Stopwatch.GetTimestamp() - start);
            count(scenario.Depth);
        }
    }
}
