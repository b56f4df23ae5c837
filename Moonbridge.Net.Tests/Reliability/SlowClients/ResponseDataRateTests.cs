using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Reliability.SlowClients;

/// <summary>
/// <see cref="HttpOptions.MinimumResponseDataRate"/>: a client that reads a few bytes now and then, so that no
/// single wait reaches the stall timeout, loses its connection once the grace period is used up; a client
/// that reads slowly but above the rate gets the whole response.
/// </summary>
[TestFixture]
public sealed class ResponseDataRateTests
{
    /// <summary>Well above what the kernel's socket buffers absorb (up to 4 MiB for the sender on Linux), so the server has to wait for the reader.</summary>
    private const int ResponseBytes = 8 * 1024 * 1024;
    private const int PieceBytes = 64 * 1024;

    /// <summary>The stall timeout here is far longer than the grace period, so only the rate can end the trickling reader in time.</summary>
    private static readonly TimeSpan s_stall = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan s_grace = TimeSpan.FromSeconds(1);

    [Test]
    [CancelAfter(60_000)]
    public async Task AClientReadingAFewBytesPerIntervalIsCutAfterTheGracePeriodWithALogLine(CancellationToken cancellationToken)
    {
        var log = new CapturingLoggerFactory();
        var outcome = new TaskCompletionSource<(bool Cut, TimeSpan Lasted, bool Faulty)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = TestServer.StartHttp(Options(log), (request, ct) => SendLargeResponseAsync(request, outcome));

        using Socket client = await ConnectAsync(server.Port, receiveBuffer: 2048, cancellationToken);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<long> reading = ReadSlowlyAsync(client, bytesPerRead: 64, TimeSpan.FromMilliseconds(100), stopReading.Token);
        (bool cut, TimeSpan lasted, bool faulty) = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);
        await stopReading.CancelAsync();
        long read = await reading;

        TestContext.Out.WriteLine($"Trickling reader: cut {cut} after {lasted.TotalSeconds:F2} s having read {read} bytes (grace {s_grace.TotalSeconds} s, stall {s_stall.TotalSeconds} s)");
        Assert.That(cut, Is.True, "the response did not complete");
        Assert.That(faulty, Is.True);
        Assert.That(lasted, Is.LessThan(s_grace + TimeSpan.FromSeconds(8)), "the rate, not the stall timeout, ended the connection");
        Assert.That(log.Warnings, Has.Some.Contains("below the minimum data rate of 262144 bytes/s").And.Contains("GET /big"));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task AClientReadingSlowlyButAboveTheRateGetsTheWholeResponse(CancellationToken cancellationToken)
    {
        var log = new CapturingLoggerFactory();
        var outcome = new TaskCompletionSource<(bool Cut, TimeSpan Lasted, bool Faulty)>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using TestServer server = TestServer.StartHttp(Options(log), (request, ct) => SendLargeResponseAsync(request, outcome));

        // 64 KiB per 25 ms: about 2.6 MB/s, ten times the minimum rate.
        using Socket client = await ConnectAsync(server.Port, receiveBuffer: 64 * 1024, cancellationToken);
        long read = await ReadSlowlyAsync(client, bytesPerRead: 64 * 1024, TimeSpan.FromMilliseconds(25), cancellationToken);
        (bool cut, TimeSpan lasted, bool _) = await outcome.Task.WaitAsync(TimeSpan.FromSeconds(20), cancellationToken);

        TestContext.Out.WriteLine($"Slow reader above the rate: cut {cut}, handler done after {lasted.TotalSeconds:F2} s, client read {read} bytes");
        Assert.That(cut, Is.False);
        Assert.That(read, Is.GreaterThan(ResponseBytes), "the whole response, head included, arrived");
        Assert.That(log.Warnings, Is.Empty);
    }

    private static HttpOptions Options(CapturingLoggerFactory log)
    {
        HttpOptions options = TestServer.BoundedHttpOptions();
        options.StallTimeout = s_stall;
        options.MinimumResponseDataRate = 256 * 1024;

        // The closing response waits for the client's end of input; the slow reader takes its time to get there.
        options.DrainTimeout = TimeSpan.FromSeconds(20);
        options.MinimumResponseDataRateGracePeriod = s_grace;
        options.LoggerFactory = log;
        return options;
    }

    /// <summary>Sends <see cref="ResponseBytes"/> with a Content-Length, then closes; reports whether sending failed, when, and Faulty.</summary>
    private static async ValueTask<bool> SendLargeResponseAsync(HttpRequest request, TaskCompletionSource<(bool Cut, TimeSpan Lasted, bool Faulty)> outcome)
    {
        long started = Stopwatch.GetTimestamp();
        byte[] piece = new byte[PieceBytes];
        request.SendStatus(200);
        request.SendHeader("Content-Length", ResponseBytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.CloseAfterFinish();
        try
        {
            for (int sent = 0; sent < ResponseBytes; sent += PieceBytes)
            {
                await request.SendDataAsync(piece);
            }

            await request.FinishAsync();
            outcome.TrySetResult((false, Stopwatch.GetElapsedTime(started), request.Faulty));
        }
        catch (IOException)
        {
            outcome.TrySetResult((true, Stopwatch.GetElapsedTime(started), request.Faulty));
            throw;
        }

        return true;
    }

    private static async Task<Socket> ConnectAsync(int port, int receiveBuffer, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Set before connecting, so the advertised window is small from the start.
            socket.ReceiveBufferSize = receiveBuffer;
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
            await socket.SendAsync("GET /big HTTP/1.1\r\nHost: test\r\n\r\n"u8.ToArray(), SocketFlags.None, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Reads at most <paramref name="bytesPerRead"/> per <paramref name="interval"/> until the connection ends or reading is stopped; returns the bytes read.</summary>
    private static async Task<long> ReadSlowlyAsync(Socket socket, int bytesPerRead, TimeSpan interval, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[bytesPerRead];
        long total = 0;
        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                total += read;
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
        }

        return total;
    }
}
