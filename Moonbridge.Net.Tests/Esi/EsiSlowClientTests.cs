using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.Esi;
using Moonbridge.Net.Http;
using Moonbridge.Net.Tests.Http.Functional;
using Moonbridge.Net.Tests.Infrastructure;

namespace Moonbridge.Net.Tests.Esi;

/// <summary>
/// Large responses delivered to clients that read late and slowly: the blocking <see cref="EsiSession.Deliver(ReadOnlySpan{byte})"/>
/// waits for them as documented, and a script that fails mid-stream never leaves its client with a body that looks complete.
/// </summary>
[TestFixture]
public sealed class EsiSlowClientTests
{
    private const int Readers = 8;
    private const int BlockSize = 64 * 1024;
    // 8 MiB per reader: enough to hold every delivery up many times over.
    private const int Blocks = 128;
    private const long ResponseBytes = (long)BlockSize * Blocks;

    /// <summary>A delivery still waiting after this long is held up by its client: the server has to wait for it.</summary>
    private static readonly TimeSpan s_heldUp = TimeSpan.FromMilliseconds(50);

    // 64 MiB through 1 KiB receive windows.
    [Test]
    [CancelAfter(180_000)]
    public async Task BlockingDeliveriesToLateSlowReadersArriveCompleteByteForByte(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        var heldUp = new Signal[Readers];
        for (int i = 0; i < Readers; i++)
        {
            heldUp[i] = new Signal();
        }

        await using TestServer server = EsiServer.Start(ServerOptions(log), EsiServer.Options(log), null, EsiServer.One((session, environment, input, ct) =>
        {
            Signal signal = heldUp[int.Parse(input.Text, System.Globalization.CultureInfo.InvariantCulture)];

            // Set by a delivery still waiting after a while: only the client, by reading, can let it return.
            using var watchdog = new Timer(_ => signal.Set());
            try
            {
                session.Deliver("content-type: application/octet-stream\r\n\r\n");
                byte[] block = new byte[BlockSize];
                for (int index = 0; index < Blocks; index++)
                {
                    Fill(block, index);
                    watchdog.Change(s_heldUp, Timeout.InfiniteTimeSpan);
                    session.Deliver(block);
                    watchdog.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
            }
            finally
            {
                // Also when a delivery threw: the test then reads what came and fails on it, instead of waiting.
                signal.Set();
            }

            return ValueTask.FromResult<object?>(null);
        }));

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectCallback = ConnectWithSmallReceiveBufferAsync })
        {
            BaseAddress = server.BaseUri,
            Timeout = TimeSpan.FromSeconds(100),
        };
        long started = Stopwatch.GetTimestamp();
        Task<long>[] readers = Enumerable.Range(0, Readers).Select(i => ReadLateAsync(client, i, heldUp[i], started, cancellationToken)).ToArray();
        long[] received;
        try
        {
            received = await Task.WhenAll(readers);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            // Each failed reader says when it failed (the others may have gone on long after), and what the server
            // logged (a stall, a data rate, a script failure) says why.
            string failures = string.Join("\n", readers.Where(r => r.IsFaulted).Select(r => r.Exception!.InnerException!.Message));
            throw new AssertionException($"{failures}\nServer log:\n{log}", e);
        }

        TestContext.Out.WriteLine($"{Readers} readers of {ResponseBytes >> 20} MiB each, SO_RCVBUF 1 KiB: {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s");
        Assert.That(received, Is.All.EqualTo(ResponseBytes));
        Assert.That(log.Entries.Where(e => e.Level >= LogLevel.Warning), Is.Empty, log.ToString());
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task FunctionsAreNeverCalledOnAReceiveLoopWithWholeOrChunkedInput(CancellationToken cancellationToken)
    {
        var log = new EsiLogCapture();
        EsiOptions options = EsiServer.Options(log);
        options.MaximumBodyChunkSize = 8 * 1024;
        var calls = new System.Collections.Concurrent.ConcurrentQueue<(EsiInputKind Kind, bool OnReceiveLoop)>();
        await using TestServer server = EsiServer.Start(options, EsiServer.One((session, environment, input, ct) =>
        {
            calls.Enqueue((input.Kind, Moonbridge.Net.IO.Internal.SocketConnection.IsOnReceiveLoop));
            if (input.IsFinal)
            {
                session.Deliver("done");
            }

            return ValueTask.FromResult<object?>(null);
        }));
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(15) };

        for (int i = 0; i < 5; i++)
        {
            Assert.That(await client.GetStringAsync("/esi/t/f", cancellationToken), Is.EqualTo("done"));
        }

        using HttpResponseMessage posted = await client.PostAsync("/esi/t/f", new ByteArrayContent(new byte[300_000]), cancellationToken);

        Assert.That(await posted.Content.ReadAsStringAsync(cancellationToken), Is.EqualTo("done"));
        Assert.That(calls.Count(c => c.Kind == EsiInputKind.Continue), Is.GreaterThan(10));
        Assert.That(calls.Where(c => c.OnReceiveLoop), Is.Empty);
    }

    /// <summary>
    /// The server's options: both layers log into <paramref name="log"/>, so a connection the server resets says why. The
    /// readers are late by however long this process's thread pool takes to grow past the handlers blocked in Deliver (it
    /// adds threads gradually, and the readers' continuations and the watchdog timers wait behind them): seconds on a
    /// loaded 2-core machine, which outlasted the 5 s grace of the minimum response data rate: the server reset a reader
    /// whose first wait had not ended yet. That rate is tested in ResponseDataRateTests; here a first wait is bounded by the
    /// stall timeout alone, and the rate still applies from then on.
    /// </summary>
    private static HttpOptions ServerOptions(EsiLogCapture log)
    {
        HttpOptions options = TestServer.HttpOptions();
        options.LoggerFactory = log;
        options.MinimumResponseDataRateGracePeriod = options.StallTimeout;
        return options;
    }

    /// <summary>Asks for the response, waits until the server was held up by it, then reads and checks every byte.</summary>
    private static async Task<long> ReadLateAsync(HttpClient client, int reader, Signal heldUp, long started, CancellationToken cancellationToken)
    {
        long total = 0;
        try
        {
            using HttpResponseMessage response = await client.GetAsync($"/esi/t/f?{reader}", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await heldUp.WaitAsync(cancellationToken);

            await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken);
            byte[] expected = new byte[BlockSize];
            byte[] buffer = new byte[BlockSize];
            while (true)
            {
                int read = await body.ReadAtLeastAsync(buffer, BlockSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0)
                {
                    return total;
                }

                int index = (int)(total / BlockSize);
                Fill(expected, index);
                if (read != BlockSize || !buffer.AsSpan(0, read).SequenceEqual(expected.AsSpan(0, read)))
                {
                    Assert.Fail($"Reader {reader}: block {index} differs or is short ({read} bytes) after {total} bytes.");
                }

                total += read;
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new IOException($"Reader {reader} failed {Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s into the test, after {total} bytes of body: {e.Message}", e);
        }
    }

    /// <summary>Each block differs from its neighbours, so a lost, repeated or reordered block is seen.</summary>
    private static void Fill(byte[] block, int index)
    {
        for (int i = 0; i < block.Length; i++)
        {
            block[i] = (byte)(i + (index * 7));
        }
    }

    private static async ValueTask<Stream> ConnectWithSmallReceiveBufferAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
