using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// The fallback load generator when wrk is missing: keep-alive connections over raw sockets, each writing
/// <see cref="Scenario.Depth"/> requests at a time and reading as many Content-Length-framed responses.
/// Bounded by time and by a total request count.
/// </summary>
internal static class LoopbackClient
{
    private const long MaxRequests = 5_000_000;

    public static async Task<RunResult> RunAsync(int port, Scenario scenario, int connections, TimeSpan duration, int uploadBytes)
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
                    await ConnectionLoopAsync(port, scenario, connection, uploadBytes, latencies[connection], () => stop.IsCancellationRequested || Interlocked.Read(ref total) >= MaxRequests, n => Interlocked.Add(ref total, n), hardStop.Token);
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
        return new RunResult(total / seconds, Percentile(all, 0.50), Percentile(all, 0.99), errors);
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

    /// <summary>Reads Content-Length-framed responses off a socket, discarding the bodies.</summary>
    private sealed class ResponseReader(Socket socket)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        public async Task<int> ReadResponseAsync(CancellationToken cancellationToken)
        {
            int headerEnd;
            while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
            {
                await FillAsync(cancellationToken);
            }

            string head = Encoding.ASCII.GetString(_buffer, _start, headerEnd);
            _start += headerEnd + 4;
            int status = int.Parse(head.AsSpan(9, 3), CultureInfo.InvariantCulture);
            long length = -1;
            foreach (string line in head.Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    length = long.Parse(line.AsSpan(15).Trim(), CultureInfo.InvariantCulture);
                }
            }

            if (length < 0)
            {
                throw new InvalidDataException("response without Content-Length");
            }

            while (length > 0)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }

                int take = (int)Math.Min(length, _end - _start);
                _start += take;
                length -= take;
            }

            return status;
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_end == _buffer.Length)
            {
                if (_start == 0)
                {
                    throw new InvalidDataException("response head too large");
                }

                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            int read = await socket.ReceiveAsync(_buffer.AsMemory(_end), cancellationToken);
            if (read == 0)
            {
                throw new IOException("connection closed");
            }

            _end += read;
        }
    }
}
