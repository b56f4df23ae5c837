using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.Benchmarks.IO;

/// <summary>
/// Moves 64 MiB over one loopback TCP connection from a plain <see cref="Socket"/> sender (its own
/// thread, blocking sends of a pre-filled 64 KiB buffer) into a <see cref="MoonSocket"/>, once per
/// read form: blocking <c>Read</c>, <c>ReadNb</c> with <c>Poll</c> between blocks, <c>ReadCall</c>
/// with a polling wait function, <c>ReadAsync</c>, and blocking <c>Drain</c>. Every form reads with
/// <c>maxLength</c> = the bytes still expected and no terminator. The baseline receives the same
/// 64 MiB over a second, plain socket pair with a <see cref="Socket.Receive(Span{byte})"/> loop.
/// The connections are made once per benchmark process and reused by every invocation; each
/// invocation starts a new sender and waits for it at the end.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Config))]
public class ReadFormsBenchmarks
{
    /// <summary>Bytes moved per invocation.</summary>
    public const long TotalBytes = 64L * 1024 * 1024;

    private const int ChunkSize = 64 * 1024;

    /// <summary>An invocation that takes this long is taken to hang: the process fails fast, so the run stays bounded.</summary>
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(20);

    private readonly byte[] _sendBuffer = new byte[ChunkSize];
    private readonly byte[] _receiveBuffer = new byte[ChunkSize];
    private readonly DiscardBufferWriter _sink = new(ChunkSize);

    private MoonListener? _moonListener;
    private Socket? _moonSender;
    private MoonSocket? _receiver;
    private IPollable[] _pollSet = [];
    private IoWait? _pollWait;

    private Socket? _plainListener;
    private Socket? _plainSender;
    private Socket? _plainReceiver;

    private long _invocationStart;
    private Timer? _watchdog;

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            // Short on purpose (a 2-core machine): one process per benchmark, 2 warmups, 5 measurements.
            AddJob(Job.Default
                .WithLaunchCount(1)
                .WithWarmupCount(2)
                .WithIterationCount(5)
                .WithId("Short"));
            AddColumn(new ThroughputColumn(TotalBytes, 1_000_000, "MB/s"));
            AddColumn(new ThroughputColumn(TotalBytes, 1024 * 1024, "MiB/s"));
        }
    }

    [GlobalSetup]
    public void Setup()
    {
        new Random(42).NextBytes(_sendBuffer);

        // MoonSocket receiver: a Moonbridge listener, a plain sender connecting to it.
        _moonListener = MoonbridgeIO.TcpListen("127.0.0.1", 0);
        _moonSender = Connect(_moonListener.Port!.Value);
        _receiver = _moonListener.Accept();
        _pollSet = [_receiver];
        IPollable[] pollSet = _pollSet;
        _pollWait = (_, _) => MoonbridgeIO.Poll(pollSet);

        // Baseline: a plain socket pair over loopback.
        _plainListener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _plainListener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _plainListener.Listen(1);
        _plainSender = Connect(((IPEndPoint)_plainListener.LocalEndPoint!).Port);
        _plainReceiver = _plainListener.Accept();

        _watchdog = new Timer(_ => CheckForHang(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _watchdog?.Dispose();
        _moonSender?.Dispose();
        _plainSender?.Dispose();
        _receiver?.Dispose();
        _plainReceiver?.Dispose();
        _moonListener?.Dispose();
        _plainListener?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Socket.Receive (plain)")]
    public long SocketReceive()
    {
        Task sender = StartSender(_plainSender!);
        Socket receiver = _plainReceiver!;
        long total = 0;
        while (total < TotalBytes)
        {
            int received = receiver.Receive(_receiveBuffer.AsSpan(0, (int)Math.Min(_receiveBuffer.Length, TotalBytes - total)));
            if (received == 0)
            {
                throw new InvalidOperationException($"Unexpected end of input after {total} bytes.");
            }

            total += received;
        }

        return Finish(sender, total);
    }

    [Benchmark(Description = "Read (blocking)")]
    public long Read()
    {
        Task sender = StartSender(_moonSender!);
        _sink.Reset();
        IoReadResult result = _receiver!.Read(_sink, TotalBytes);
        Check(result, _sink.Written);
        return Finish(sender, result.Count);
    }

    [Benchmark(Description = "ReadNb + Poll")]
    public long ReadNb()
    {
        Task sender = StartSender(_moonSender!);
        _sink.Reset();
        MoonSocket receiver = _receiver!;
        long total = 0;
        while (true)
        {
            IoReadResult result = receiver.ReadNb(_sink, TotalBytes - total);
            total += result.Count;
            if (result.Status == IoStatus.Block)
            {
                MoonbridgeIO.Poll(_pollSet);
                continue;
            }

            Check(result with { Count = total }, _sink.Written);
            return Finish(sender, total);
        }
    }

    [Benchmark(Description = "ReadCall (Poll wait)")]
    public long ReadCall()
    {
        Task sender = StartSender(_moonSender!);
        _sink.Reset();
        IoReadResult result = _receiver!.ReadCall(_pollWait!, _sink, TotalBytes);
        Check(result, _sink.Written);
        return Finish(sender, result.Count);
    }

    [Benchmark(Description = "ReadAsync")]
    public async Task<long> ReadAsync()
    {
        Task sender = StartSender(_moonSender!);
        _sink.Reset();
        IoReadResult result = await _receiver!.ReadAsync(_sink, TotalBytes);
        Check(result, _sink.Written);
        await sender;
        Volatile.Write(ref _invocationStart, 0);
        return result.Count;
    }

    [Benchmark(Description = "Drain (blocking)")]
    public long Drain()
    {
        Task sender = StartSender(_moonSender!);
        IoReadResult result = _receiver!.Drain(TotalBytes);
        Check(result, result.Count);
        return Finish(sender, result.Count);
    }

    private static Socket Connect(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>Sends <see cref="TotalBytes"/> on its own thread (off the thread pool, which the reactor uses).</summary>
    private Task StartSender(Socket socket)
    {
        Volatile.Write(ref _invocationStart, Stopwatch.GetTimestamp());
        return Task.Factory.StartNew(
            static state =>
            {
                var (socket, buffer) = ((Socket, byte[]))state!;
                long sent = 0;
                while (sent < TotalBytes)
                {
                    sent += socket.Send(buffer, 0, (int)Math.Min(buffer.Length, TotalBytes - sent), SocketFlags.None);
                }
            },
            (socket, _sendBuffer),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    private static void Check(IoReadResult result, long delivered)
    {
        if (result.Status != IoStatus.MaxLen || result.Count != TotalBytes || delivered != TotalBytes)
        {
            throw new InvalidOperationException(
                $"Expected MaxLen with {TotalBytes} bytes; got {result.Status} with Count={result.Count}, delivered={delivered}, error={result.Error}.");
        }
    }

    private long Finish(Task sender, long total)
    {
        sender.GetAwaiter().GetResult();
        Volatile.Write(ref _invocationStart, 0);
        return total;
    }

    private void CheckForHang()
    {
        long start = Volatile.Read(ref _invocationStart);
        if (start != 0 && Stopwatch.GetElapsedTime(start) > s_hangLimit)
        {
            Environment.FailFast($"{nameof(ReadFormsBenchmarks)}: an invocation has not finished after {s_hangLimit.TotalSeconds} s (expected {TotalBytes} bytes).");
        }
    }
}
