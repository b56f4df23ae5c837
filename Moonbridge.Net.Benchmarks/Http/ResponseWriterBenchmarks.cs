using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Moonbridge.Net.Http;
using Moonbridge.Net.Http.Internal;
using Moonbridge.Net.IO.Internal;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>
/// What a TechEmpower plaintext response costs the server: <c>200 OK</c>, the static <c>Server</c> header,
/// the server's <c>Date</c>, <c>Content-Type</c>, <c>Content-Length</c> and <c>Hello, World!</c>.
/// <para>
/// <b>Head</b>: the handler's calls as the benchmark server makes them (<c>SendStatus</c>, two
/// <c>SendHeader</c>, <c>SendData</c>, which commits the head and body into the connection's output queue),
/// after the connection loop's <c>BeginExchange</c>. The response head is only built inside
/// <c>HttpRequest</c>, which needs a connection, so this runs over a real loopback socket; the queue goes to
/// the kernel each time it passes 16 KiB (about every 120 responses), so one send is amortised over many
/// responses, as it would be for pipelined requests if the loop flushed once per read. The baseline copies
/// the same bytes, pre-encoded, into a buffer: the floor any server can reach.
/// </para>
/// <para>
/// <b>Exchange</b>: the same plus <c>ExchangeCompletion.RunAsync</c>, which the connection loop calls after the
/// handler, and the flush the loop does before it waits for the next request, so every response is one <c>send</c>. The baseline sends
/// the pre-encoded bytes with one <see cref="Socket.Send(ReadOnlySpan{byte})"/> on a plain socket.
/// </para>
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ResponseWriterBenchmarks
{
    private static readonly byte[] s_hello = "Hello, World!"u8.ToArray();
    private static readonly byte[] s_request = RequestSamples.Plaintext;

    private readonly byte[] _buffer = new byte[1024];
    private LoopbackExchange? _exchange;
    private LoopbackPeer? _plain;

    [GlobalSetup]
    public void Setup()
    {
        var options = new HttpOptions();
        options.StaticHeaders.Add(new("Server", "Moonbridge"));
        _exchange = new LoopbackExchange(options, s_request);
        _plain = new LoopbackPeer();

        // The baseline must write what the server writes (the Date aside, which both take from DateHeader).
        int preEncoded = PreEncoded();
        if (!CompleteExchange())
        {
            throw new InvalidOperationException("The exchange did not keep the connection.");
        }

        long deadline = Environment.TickCount64 + 5000;
        while (_exchange.Received < preEncoded && Environment.TickCount64 < deadline)
        {
            Thread.Sleep(1);
        }

        if (_exchange.Received != preEncoded)
        {
            throw new InvalidOperationException($"The server sent {_exchange.Received} bytes; the pre-encoded response has {preEncoded}.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _exchange?.Dispose();
        _plain?.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Pre-encoded bytes into a buffer")]
    [BenchmarkCategory("Head")]
    public int PreEncoded()
    {
        Span<byte> buffer = _buffer;
        int length = 0;
        Append(buffer, ref length, "HTTP/1.1 200 OK\r\nServer: Moonbridge\r\n"u8);
        Append(buffer, ref length, DateHeader.Line);
        Append(buffer, ref length, "Content-Type: text/plain\r\nContent-Length: 13\r\n\r\n"u8);
        Append(buffer, ref length, s_hello);
        return length;
    }

    [Benchmark(Description = "HttpRequest: Begin, status, 2 headers, data")]
    [BenchmarkCategory("Head")]
    public int HandlerCalls()
    {
        HttpRequest request = _exchange!.Request;
        _exchange.Connection.BeginExchange();
        request.SendStatus("200 OK");
        request.SendHeader("Content-Type", "text/plain");
        request.SendHeader("Content-Length", "13");
        request.SendData(s_hello);
        return 1;
    }

    [Benchmark(Baseline = true, Description = "Pre-encoded bytes, one Socket.Send")]
    [BenchmarkCategory("Exchange")]
    public int PreEncodedSend() => _plain!.Server.Send(_buffer.AsSpan(0, PreEncoded()));

    [Benchmark(Description = "HttpRequest: as Head + ExchangeCompletion (flush)")]
    [BenchmarkCategory("Exchange")]
    public bool CompleteExchange()
    {
        HandlerCalls();
        ValueTask<bool> completion = ExchangeCompletion.RunAsync<BlockingTransportWaiter>(_exchange!.Connection);
        bool kept = completion.IsCompletedSuccessfully ? completion.Result : completion.AsTask().GetAwaiter().GetResult();

        // The connection holds a kept connection's response back until it would wait for the next request (so
        // pipelined responses leave together); the loop's flush before that wait is part of the exchange.
        ValueTask flush = _exchange.Connection.FlushOutputAsync<BlockingTransportWaiter>();
        if (!flush.IsCompletedSuccessfully)
        {
            flush.AsTask().GetAwaiter().GetResult();
        }

        return kept;
    }

    private static void Append(Span<byte> buffer, ref int length, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer[length..]);
        length += bytes.Length;
    }
}
