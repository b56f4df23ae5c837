using System.Buffers;
using System.Text;
using Moonbridge.Net.Fuzz.Targets;
using Moonbridge.Net.Http.Forms;
using Moonbridge.Net.Http.Parsing;
using Moonbridge.Net.Tests.Http.Parsing;

namespace Moonbridge.Net.Tests.Reliability.Fuzzing;

/// <summary>
/// Mutation fuzzing of every parser that sees client bytes, for a bounded time per target
/// (<c>MOONBRIDGE_FUZZ_SECONDS</c>, default 8; <c>MOONBRIDGE_FUZZ_SEED</c> replays a run). Properties: the
/// only exception is the parser's own rejection; no execution hangs; no read past the input (any would
/// surface as an exception from the exactly sized arrays); and whether the input arrives whole or cut at
/// random points (byte by byte, one cut, a few), the outcome is the same.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ParserFuzzTests
{
    private const int TestMilliseconds = 120_000;

    private static readonly HttpParserLimits s_defaultLimits = new();

    private static readonly HttpParserLimits s_tightLimits = new()
    {
        HeaderSizeLimit = 256,
        RequestLineSizeLimit = 96,
        HeaderCountLimit = 6,
        BodySizeLimit = 96,
        ChunkLineSizeLimit = 24,
        TrailerSizeLimit = 48,
    };

    [Test]
    [CancelAfter(TestMilliseconds)]
    public Task TheRequestHeadParserSurvivesMutatedInput() => FuzzRun.RunAsync(
        "request head",
        Seeds(
            "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
            "GET /a/b%20c?x=1&y=%41 HTTP/1.1\r\nHost: example.com:8080\r\nConnection: keep-alive, Upgrade\r\nCookie: a=b; c=d\r\n\r\n",
            "POST /form HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nname=value&",
            "PUT /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            "GET http://example.com/abs?q HTTP/1.1\r\nHost: ignored\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: [::1]:80\r\n\r\n",
            "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
            "HEAD /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\nContent-Length: 0\r\nX-Empty:\r\n\r\nGET / HTTP/1.1\r\n"),
        ["\r\n", "\r\n\r\n", "Host: h\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: ", "Connection: close", " HTTP/1.1",
         "HTTP/1.0", "Expect: 100-continue", ", ", "http://", "[::1]", "%2", "*", "chunked", "99999999999999999999", "\r\n ", ": "],
        CheckHead);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public Task TheChunkedBodyDecoderSurvivesMutatedInput() => FuzzRun.RunAsync(
        "chunked decoder",
        Seeds(
            "5\r\nhello\r\n0\r\n\r\n",
            "5;name=value\r\nhello\r\n6 ; q=\"a;\\\"b\"\r\n world\r\n0\r\nX-Trailer: t\r\nX-Other: o\r\n\r\n",
            "000a\r\n0123456789\r\nA\r\nabcdefghij\r\n0;last\r\n\r\n",
            "1\r\nx\r\n1\r\ny\r\n1\r\nz\r\n0\r\n\r\nGET / HTTP/1.1\r\n"),
        ["\r\n", "0\r\n\r\n", ";", "=", "\"", "ffffffffffffffff", "10000000000000000", "X-T: v\r\n", " ", "\t", "\n"],
        CheckChunked);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public Task TheMultipartReaderSurvivesMutatedInput() => FuzzRun.RunAsync(
        "multipart",
        Seeds(
            "--AaB03x\r\nContent-Disposition: form-data; name=\"field\"\r\n\r\nvalue\r\n--AaB03x--\r\n",
            "preamble\r\n--AaB03x\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nfile\r\n--AaB03\r\ncontent\r\n--AaB03x\r\nContent-Disposition: form-data; name=b\r\n\r\n\r\n--AaB03x--epilogue",
            "--AaB03x\r\nContent-Disposition: form-data; name=\"x\"; filename*=UTF-8''%C3%A9.txt\r\nX-Other: y\r\n\r\n\r\n\r\n--AaB03x--"),
        ["\r\n", "--AaB03x", "\r\n--AaB03x", "--AaB03x--", "Content-Disposition: form-data; name=\"", "filename=\"", "\"", ";", "Content-Type: ", "\r\n\r\n"],
        CheckMultipart);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public Task TheUrlencodedParserSurvivesMutatedInput() => FuzzRun.RunAsync(
        "urlencoded",
        Seeds("a=1&b=2&a=3", "name=J%C3%BCrgen+M&empty=&flag&%26=%3D", "x=%zz%4&=v&&y==z", "long=" + new string('v', 40)),
        ["&", "=", "%", "%2", "%C3%A9", "+", "%00", "%FF"],
        CheckUrlEncoded);

    [Test]
    [CancelAfter(TestMilliseconds)]
    public Task TheCookieParserSurvivesMutatedInput() => FuzzRun.RunAsync(
        "cookie",
        Seeds("a=b", "session=abc123; theme=dark; a=\"quoted value\"", "  x = 1 ;y=q=r;;=novalue;noequals; x=2", "\"=\"; %41=%42"),
        [";", "=", " ", "\t", "\"", "; "],
        CheckCookie);

    /// <summary>Found by this fuzzer: a bare line end past the request-line limit gave 400 whole but 414 in pieces.</summary>
    [TestCase("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n")]
    [TestCase("GET /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\rX")]
    public void ARequestLineOverItsLimitIs414HoweverItsBadLineEndArrives(string input)
    {
        var limits = new HttpParserLimits { RequestLineSizeLimit = 16 };
        byte[] bytes = Encoding.Latin1.GetBytes(input);
        Assert.That(HeadTarget.Parse(bytes, [], limits), Is.EqualTo("rejected 414"));
        Assert.That(HeadTarget.Parse(bytes, [.. Enumerable.Range(1, bytes.Length - 1)], limits), Is.EqualTo("rejected 414"));
        Assert.That(HeadTarget.Parse(bytes, [bytes.Length - 1], limits), Is.EqualTo("rejected 414"));
    }

    /// <summary>Found by this fuzzer: a trailer line crossing both the trailer and the body limit gave 431 whole but 413 in pieces.</summary>
    [TestCase("5\r\nhello\r\n0\r\nX-Trailer: t\r\nX-Other-Offffffffffffffffffffffffffffffffffffffffffffther: o\r\n\r\n", 60, 48)]
    [TestCase("5\r\nhello\r\n0\r\nX-Trailer: t\r\nX-Bad : value value value value value\r\n\r\n", 40, 4096)]
    [TestCase("5;eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee\r\nhello\r\n0\r\n\r\n", 20, 4096)]
    public void AChunkedBodyCrossingTheBodyLimitGetsTheSameStatusHoweverItIsCut(string input, int bodyLimit, int trailerLimit)
    {
        var limits = new HttpParserLimits { BodySizeLimit = bodyLimit, TrailerSizeLimit = trailerLimit, ChunkLineSizeLimit = 24 };
        byte[] bytes = Encoding.Latin1.GetBytes(input);
        var mutator = new Mutator(new Random(1), ["x"]);
        string whole = DecodeChunked(bytes, [], limits, mutator);
        Assert.That(whole, Does.StartWith("rejected"));
        for (int cut = 1; cut < bytes.Length; cut++)
        {
            Assert.That(DecodeChunked(bytes, [cut], limits, mutator), Is.EqualTo(whole), $"cut at {cut}");
        }

        Assert.That(DecodeChunked(bytes, [.. Enumerable.Range(1, bytes.Length - 1)], limits, mutator), Is.EqualTo(whole));
    }

    private static List<byte[]> Seeds(params string[] seeds) => [.. seeds.Select(Encoding.Latin1.GetBytes)];

    private static HttpParserLimits PickLimits(Mutator mutator) => mutator.Chance(2) ? s_tightLimits : s_defaultLimits;

    private static bool CheckHead(byte[] input, Mutator mutator)
    {
        HttpParserLimits limits = PickLimits(mutator);
        string whole = HeadTarget.Parse(input, [], limits);
        string split = HeadTarget.Parse(input, mutator.SplitPoints(input.Length), limits);
        Expect.Same(whole, split);
        return whole.StartsWith("accepted", StringComparison.Ordinal);
    }

    private static bool CheckChunked(byte[] input, Mutator mutator)
    {
        HttpParserLimits limits = PickLimits(mutator);
        string whole = DecodeChunked(input, [], limits, mutator);
        string split = DecodeChunked(input, mutator.SplitPoints(input.Length), limits, mutator);
        Expect.Same(whole, split);
        return whole.StartsWith("complete", StringComparison.Ordinal);
    }

    /// <summary>Feeds the body as the request does: unconsumed bytes stay at the front, new bytes are appended.</summary>
    private static string DecodeChunked(byte[] input, int[] cuts, HttpParserLimits limits, Mutator mutator)
    {
        var decoder = new ChunkedBodyDecoder(limits);
        decoder.Reset();
        var payload = new List<byte>();
        var pending = new List<byte>();
        long consumedTotal = 0;
        int previous = 0;
        try
        {
            foreach (int cut in cuts.Append(input.Length))
            {
                pending.AddRange(input.AsSpan(previous, cut - previous).ToArray());
                previous = cut;
                while (true)
                {
                    byte[] bytes = [.. pending];
                    ReadOnlySequence<byte> buffer = bytes.Length > 1 && mutator.Chance(2) ? Sequences.SplitAt(bytes, 1 + mutator.Next(bytes.Length - 1)) : Sequences.Whole(bytes);
                    ChunkedReadStatus status = decoder.Read(buffer, 1 + mutator.Next(64), out ReadOnlySequence<byte> data, out SequencePosition consumed);
                    long used = Sequences.OffsetOf(buffer, consumed);
                    Expect.True(used >= 0 && used <= bytes.Length, "consumed lies inside the buffer");
                    payload.AddRange(data.ToArray());
                    pending.RemoveRange(0, (int)used);
                    consumedTotal += used;
                    if (status == ChunkedReadStatus.Complete)
                    {
                        Expect.True(decoder.IsComplete, "complete");
                        return $"complete {consumedTotal} {Convert.ToHexString([.. payload])}";
                    }

                    Expect.True(status == ChunkedReadStatus.Data ? data.Length > 0 : data.IsEmpty, "data is returned only with Data");
                    if (status == ChunkedReadStatus.NeedMoreData)
                    {
                        break;
                    }
                }
            }
        }
        catch (BadHttpRequestException e)
        {
            return $"rejected {e.StatusCode}";
        }

        return $"incomplete {Convert.ToHexString([.. payload])}";
    }

    private static bool CheckMultipart(byte[] input, Mutator mutator)
    {
        int maxHeaderSize = mutator.Chance(2) ? 64 : 16 * 1024;
        string whole = MultipartTarget.Read(input, [], maxHeaderSize);
        string split = MultipartTarget.Read(input, mutator.SplitPoints(input.Length), maxHeaderSize);
        Expect.Same(whole, split);
        return whole.StartsWith("accepted", StringComparison.Ordinal);
    }

    private static bool CheckUrlEncoded(byte[] input, Mutator mutator)
    {
        int maxField = mutator.Chance(2) ? 16 : 64 * 1024;
        string whole = ParseUrlEncoded(input, [], maxField);
        string split = ParseUrlEncoded(input, mutator.SplitPoints(input.Length), maxField);
        Expect.Same(whole, split);
        return whole.StartsWith("accepted", StringComparison.Ordinal);
    }

    private static string ParseUrlEncoded(byte[] input, int[] cuts, int maxField)
    {
        var into = new FormParameters();
        var parser = new UrlEncodedBodyParser(into, maxField);
        int previous = 0;
        try
        {
            foreach (int cut in cuts.Append(input.Length))
            {
                parser.Write(input.AsSpan(previous, cut - previous));
                previous = cut;
            }

            parser.Complete();
        }
        catch (FormParseException e)
        {
            return $"rejected {e.StatusCode}";
        }

        var text = new StringBuilder("accepted");
        foreach (KeyValuePair<string, IReadOnlyList<string>> field in into)
        {
            text.Append('|').Append(field.Key).Append('=').AppendJoin(',', field.Value);
        }

        return text.ToString();
    }

    private static bool CheckCookie(byte[] input, Mutator mutator)
    {
        string header = Encoding.Latin1.GetString(input);
        var whole = new Dictionary<string, string>(StringComparer.Ordinal);
        CookieParser.Parse(header, whole);
        foreach ((string name, string _) in whole)
        {
            Expect.True(name.Length > 0 && !name.Contains(';', StringComparison.Ordinal) && !name.Contains('=', StringComparison.Ordinal) && name.Trim(' ', '\t') == name, "a cookie name is non-empty, trimmed, without ; or =");
        }

        // Cut at some of the semicolons: parsing the pieces one after another gives the same cookies.
        var split = new Dictionary<string, string>(StringComparer.Ordinal);
        int start = 0;
        for (int i = 0; i <= header.Length; i++)
        {
            if (i == header.Length || (header[i] == ';' && mutator.Chance(2)))
            {
                CookieParser.Parse(header.AsSpan(start, i - start), split);
                start = i + 1;
            }
        }

        Expect.Same(string.Join('|', whole.Select(c => $"{c.Key}={c.Value}")), string.Join('|', split.Select(c => $"{c.Key}={c.Value}")));
        return whole.Count > 0;
    }

    /// <summary>Cheap property checks for the fuzz loop (NUnit's asserts are made for test bodies, not millions of calls).</summary>
    private static class Expect
    {
        public static void Same(string whole, string split)
        {
            if (!string.Equals(whole, split, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Whole and split input differ.\nwhole: {whole}\nsplit: {split}");
            }
        }

        public static void True(bool condition, string property)
        {
            if (!condition)
            {
                throw new InvalidOperationException("Property failed: " + property);
            }
        }
    }
}
