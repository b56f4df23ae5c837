using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// Large-upload throughput: <c>uploads</c> POSTs of <c>bodyBytes</c> each, spread over a few keep-alive
/// connections that upload one after another; MB/s = bytes of completed uploads / wall time (10^6 bytes).
/// Tracked uploads go to <c>/upload?X-Progress-Id=&lt;unique&gt;</c>. Bounded by <c>timeout</c>.
/// </summary>
internal static class UploadClient
{
    private const int ChunkBytes = 1024 * 1024;

    public static async Task<Measurement> RunAsync(int port, int uploads, int connections, long bodyBytes, bool tracked, TimeSpan timeout)
    {
        connections = Math.Clamp(connections, 1, uploads);
        byte[] chunk = new byte[ChunkBytes];
        Array.Fill(chunk, (byte)'u');
        string run = Stopwatch.GetTimestamp().ToString("x", CultureInfo.InvariantCulture);
        var durations = new List<long>[connections];
        long completed = 0;
        long errors = 0;
        string? firstError = null;
        using var deadline = new CancellationTokenSource(timeout);
        var stopwatch = Stopwatch.StartNew();
        var tasks = new Task[connections];
        for (int c = 0; c < connections; c++)
        {
            int connection = c;
            int share = (uploads / connections) + (connection < uploads % connections ? 1 : 0);
            durations[c] = new List<long>(share);
            tasks[c] = Task.Run(async () =>
            {
                try
                {
                    using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), deadline.Token);
                    var reader = new ResponseReader(socket, 4096);
                    for (int i = 0; i < share; i++)
                    {
                        long start = Stopwatch.GetTimestamp();
                        string target = tracked ? $"/upload?X-Progress-Id=up-{run}-{connection}-{i}" : "/upload";
                        byte[] head = Encoding.ASCII.GetBytes($"POST {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/octet-stream\r\nContent-Length: {bodyBytes}\r\n\r\n");
                        await socket.SendAsync(head, deadline.Token);
                        for (long left = bodyBytes; left > 0; left -= ChunkBytes)
                        {
                            await socket.SendAsync(chunk.AsMemory(0, (int)Math.Min(left, ChunkBytes)), deadline.Token);
                        }

                        int status = await reader.ReadResponseAsync(deadline.Token);
                        if (status != 200)
                        {
                            throw new InvalidDataException($"status {status}");
                        }

                        durations[connection].Add(Stopwatch.GetTimestamp() - start);
                        Interlocked.Increment(ref completed);
                    }
                }
                catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e is OperationCanceledException ? $"timed out after {timeout.TotalSeconds} s" : e.Message, null);
                }
            });
        }

        await Task.WhenAll(tasks);
        double seconds = stopwatch.Elapsed.TotalSeconds;
        long[] sorted = durations.SelectMany(d => d).Order().ToArray();
        return new Measurement
        {
            Rate = completed > 0 ? completed * bodyBytes / seconds / 1e6 : null,
            Requests = completed,
            P50 = Latency(sorted, 0.50),
            P99 = Latency(sorted, 0.99),
            Errors = errors,
            Note = completed == uploads ? null : $"{completed} of {uploads} uploads completed ({firstError ?? "no error"})",
        };
    }

    private static string Latency(long[] sorted, double p)
    {
        if (sorted.Length == 0)
        {
            return "-";
        }

        double ms = sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))] * 1000.0 / Stopwatch.Frequency;
        return ms >= 1000 ? (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + "s" : ms.ToString("0.0", CultureInfo.InvariantCulture) + "ms";
    }
}
