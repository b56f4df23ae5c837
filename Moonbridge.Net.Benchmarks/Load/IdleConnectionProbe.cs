using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Moonbridge.Net.Benchmarks.Load;

/// <summary>
/// Server memory per idle keep-alive connection: reads the server's VmRSS, opens up to <c>target</c>
/// connections to 127.0.0.1 (each sends one <c>GET /plaintext</c> and reads the answer, so the connection is
/// fully set up, then idles), lets the server settle, reads VmRSS again and reports (after − before) / held.
/// The count shrinks to what the client's and server's open-file limits and the ephemeral port range allow.
/// </summary>
internal static class IdleConnectionProbe
{
    private const int Parallelism = 32;
    private const int MaxFailures = 50;
    private const int Headroom = 512;
    private static readonly TimeSpan s_perConnectionTimeout = TimeSpan.FromSeconds(5);

    public static async Task<Measurement> RunAsync(int port, int serverPid, int target, TimeSpan settle, TimeSpan timeout)
    {
        int count = target;
        string? limitNote = null;
        foreach ((string what, long? limit) in new[]
        {
            ("client open-file limit", ProcessStats.OpenFileLimit("self")),
            ("server open-file limit", ProcessStats.OpenFileLimit(serverPid.ToString(CultureInfo.InvariantCulture))),
            ("ephemeral port range", (long?)ProcessStats.EphemeralPortCount()),
        })
        {
            if (limit is { } l && l - Headroom < count)
            {
                count = (int)Math.Max(1, l - Headroom);
                limitNote = $"count lowered to {count:N0} by the {what} ({l:N0})";
            }
        }

        await Task.Delay(settle);
        long? heapBefore = await CollectedHeapAsync(port);
        long? before = ProcessStats.RssBytes(serverPid);
        var held = new Socket?[count];
        int next = -1;
        int failures = 0;
        string? firstError = null;
        byte[] request = Encoding.ASCII.GetBytes($"GET /plaintext HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
        var endpoint = new IPEndPoint(IPAddress.Loopback, port);
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            var workers = new Task[Math.Min(Parallelism, count)];
            for (int w = 0; w < workers.Length; w++)
            {
                workers[w] = Task.Run(async () =>
                {
                    int i;
                    while (!deadline.IsCancellationRequested && Volatile.Read(ref failures) < MaxFailures && (i = Interlocked.Increment(ref next)) < count)
                    {
                        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        try
                        {
                            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
                            bounded.CancelAfter(s_perConnectionTimeout);
                            await socket.ConnectAsync(endpoint, bounded.Token);
                            await socket.SendAsync(request, bounded.Token);
                            int status = await new ResponseReader(socket, 1024).ReadResponseAsync(bounded.Token);
                            if (status != 200)
                            {
                                throw new InvalidDataException($"status {status}");
                            }

                            held[i] = socket;
                        }
                        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or InvalidDataException)
                        {
                            socket.Dispose();
                            Interlocked.Increment(ref failures);
                            Interlocked.CompareExchange(ref firstError, e is OperationCanceledException ? "connection timed out" : e.Message, null);
                        }
                    }
                });
            }

            await Task.WhenAll(workers);
            int opened = held.Count(s => s is not null);
            Console.WriteLine($"  idle: {opened:N0} of {count:N0} connections open{(failures > 0 ? $", {failures} failed ({firstError})" : "")}; settling {settle.TotalSeconds} s");
            await Task.Delay(settle);
            long? after = ProcessStats.RssBytes(serverPid);
            long? heapAfter = heapBefore is null ? null : await CollectedHeapAsync(port);
            string? note = string.Join("; ", new[]
            {
                heapAfter is { } heapHeld && opened > 0 ? $"live managed heap after a full collection: {(heapHeld - heapBefore!.Value) / (double)opened:N0} B per connection" : null,
                limitNote,
                opened < target ? $"held {opened:N0} of {target:N0} requested" : null,
                failures > 0 ? $"{failures} connections failed: {firstError}" : null,
            }.OfType<string>());
            if (opened == 0 || before is null || after is null)
            {
                return Measurement.Failed(opened == 0 ? $"no connection could be held ({firstError})" : "VmRSS unavailable");
            }

            return new Measurement
            {
                BytesPerConnection = (double)(after.Value - before.Value) / opened,
                HeldConnections = opened,
                RssBefore = before,
                RssAfter = after,
                Errors = failures,
                Note = note.Length > 0 ? note : null,
            };
        }
        finally
        {
            foreach (Socket? socket in held)
            {
                socket?.Dispose();
            }
        }
    }

    /// <summary>
    /// The server's managed heap after a full, compacting collection (the Moonbridge benchmark server's
    /// <c>GET /stats/collect</c>), or null for a server without that route: what its connections keep alive, which VmRSS
    /// shows only partly, since memory the GC freed stays resident.
    /// </summary>
    private static async Task<long?> CollectedHeapAsync(int port)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            string stats = await http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/stats/collect"));
            System.Text.RegularExpressions.Match heap = System.Text.RegularExpressions.Regex.Match(stats, @"\bheap=(\d+)");
            return heap.Success ? long.Parse(heap.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
