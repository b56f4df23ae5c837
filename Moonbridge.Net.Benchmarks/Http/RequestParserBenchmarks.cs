using System.Buffers;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Server.Kestrel.Core.Internal.Http;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Benchmarks.Http;

/// <summary>
/// Request-head parsing: Moonbridge's <see cref="HttpHeadParser"/> against Kestrel's
/// <see cref="HttpParser{TRequestHandler}"/> (the baseline) on the same bytes in the same single-segment
/// <see cref="ReadOnlySequence{T}"/>. Moonbridge is measured as the server's connection loop calls it
/// (<c>Http1Connection.TakeHeadInput</c>: reset the reused head and parser, parse, slice past the head), so
/// its numbers include what it builds: method, target, path, query and header strings and the validation.
/// Kestrel is measured twice: with a handler that only records span lengths (the parser alone) and with one
/// that also materialises the target and values as strings (the part of a request object Moonbridge builds).
/// The pipelined cases parse 16 requests from one buffer; their times are per batch of 16. Each case but the
/// alternating one sends the same head again and again, as clients do, which Moonbridge recognises as a whole;
/// the alternating case changes every line from one request to the next, so it measures the line readers.
/// </summary>
[MemoryDiagnoser]
public class RequestParserBenchmarks
{
    private readonly KestrelParseRecord _kestrelRecord = new();
    private readonly HttpParser<KestrelSpanHandler> _kestrelParser = new(showErrorDetails: false);
    private readonly HttpParser<KestrelStringHandler> _kestrelStringParser = new(showErrorDetails: false);
    private readonly HttpHeadParser _parser = new(new HttpParserLimits());
    private readonly HttpRequestHead _head = new();
    private ReadOnlySequence<byte> _input;
    private int _requests;

    [Params(RequestCase.Plaintext, RequestCase.Browser, RequestCase.Pipelined16, RequestCase.Alternating16)]
    public RequestCase Case { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _input = RequestSamples.AsSequence(RequestSamples.Get(Case));
        _requests = RequestSamples.RequestCount(Case);

        // Both parsers must see the same requests and header lines, or the comparison means nothing.
        int kestrelHeaders = KestrelSpans();
        int stringHeaders = KestrelStrings();
        int moonbridgeHeaders = Moonbridge();
        if (kestrelHeaders != moonbridgeHeaders || stringHeaders != moonbridgeHeaders || _kestrelRecord.Requests != 2 * _requests)
        {
            throw new InvalidOperationException(
                $"The parsers disagree on {Case}: Kestrel {kestrelHeaders} header lines, with strings {stringHeaders}, Moonbridge {moonbridgeHeaders}.");
        }
    }

    [Benchmark(Baseline = true, Description = "Kestrel HttpParser (spans)")]
    public int KestrelSpans()
    {
        var handler = new KestrelSpanHandler(_kestrelRecord);
        var reader = new SequenceReader<byte>(_input);
        int headersBefore = _kestrelRecord.Headers;
        while (!reader.End)
        {
            if (!_kestrelParser.ParseRequestLine(handler, ref reader) || !_kestrelParser.ParseHeaders(handler, ref reader))
            {
                throw new InvalidOperationException("Kestrel found an incomplete request.");
            }
        }

        return _kestrelRecord.Headers - headersBefore;
    }

    [Benchmark(Description = "Kestrel HttpParser + strings")]
    public int KestrelStrings()
    {
        var handler = new KestrelStringHandler(_kestrelRecord);
        var reader = new SequenceReader<byte>(_input);
        int headersBefore = _kestrelRecord.Headers;
        while (!reader.End)
        {
            if (!_kestrelStringParser.ParseRequestLine(handler, ref reader) || !_kestrelStringParser.ParseHeaders(handler, ref reader))
            {
                throw new InvalidOperationException("Kestrel found an incomplete request.");
            }
        }

        return _kestrelRecord.Headers - headersBefore;
    }

    [Benchmark(Description = "Moonbridge HttpHeadParser")]
    public int Moonbridge()
    {
        ReadOnlySequence<byte> rest = _input;
        int headers = 0;
        while (!rest.IsEmpty)
        {
            _head.Reset();
            _parser.Reset();
            if (!_parser.TryParse(rest, _head, out SequencePosition consumed))
            {
                throw new InvalidOperationException("Moonbridge found an incomplete request.");
            }

            headers += _head.Headers.Count;
            rest = rest.Slice(consumed);
        }

        return headers;
    }
}
