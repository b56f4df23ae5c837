using System.Buffers;
using System.Diagnostics;
using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>The parser's contract beyond single vectors: consumed positions, reuse, limits at their edges, linear scanning.</summary>
public sealed class HttpHeadParserTests
{
    [Test]
    public void ConsumedPointsJustAfterTheEmptyLineAndLeavesTheBody()
    {
        byte[] request = Latin1("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
        ReadOnlySequence<byte> buffer = Sequences.Whole(request);
        var head = new HttpRequestHead();

        bool isComplete = new HttpHeadParser(new HttpParserLimits()).TryParse(buffer, head, out SequencePosition consumed);

        Assert.That(isComplete, Is.True);
        Assert.That(Encoding.Latin1.GetString(buffer.Slice(consumed).ToArray()), Is.EqualTo("hello"));
        Assert.That(head.Framing, Is.EqualTo(BodyFraming.ContentLength));
        Assert.That(head.ContentLength, Is.EqualTo(5));
    }

    [Test]
    public void PipelinedRequestsParseOneAfterAnotherWithTheSameParserAndHead()
    {
        ReadOnlySequence<byte> buffer = Sequences.OneBytePerSegment(Latin1(
            "GET /first HTTP/1.1\r\nHost: a\r\nX-Only-First: 1\r\n\r\nPOST /second?q HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n"));
        var parser = new HttpHeadParser(new HttpParserLimits());
        var head = new HttpRequestHead();

        Assert.That(parser.TryParse(buffer, head, out SequencePosition afterFirst), Is.True);
        Assert.That((head.Method, head.Path, head.Host, head.KeepAlive), Is.EqualTo(("GET", "first", "a", true)));

        buffer = buffer.Slice(afterFirst);
        Assert.That(parser.TryParse(buffer, head, out SequencePosition afterSecond), Is.True);
        Assert.That((head.Method, head.Path, head.Query, head.Host, head.KeepAlive), Is.EqualTo(("POST", "second", "?q", "b", false)));
        Assert.That(ExpectedHead.FormatHeaders(head.Headers), Is.EqualTo("Host: b\nConnection: close"));
        Assert.That(buffer.Slice(afterSecond).IsEmpty, Is.True);
    }

    [Test]
    public void ResetForgetsAnIncompleteHead()
    {
        var parser = new HttpHeadParser(new HttpParserLimits());
        var head = new HttpRequestHead();
        Assert.That(parser.TryParse(Sequences.Whole(Latin1("GET /abandoned HTTP/1.1\r\nHo")), head, out _), Is.False);

        parser.Reset();

        Assert.That(parser.TryParse(Sequences.Whole(Latin1("GET /new HTTP/1.1\r\nHost: h\r\n\r\n")), head, out _), Is.True);
        Assert.That(head.Path, Is.EqualTo("new"));
    }

    [Test]
    public void KnownMethodsAndCommonHeaderNamesAreSharedStrings()
    {
        var parser = new HttpHeadParser(new HttpParserLimits());
        var first = new HttpRequestHead();
        var second = new HttpRequestHead();
        byte[] request = Latin1("OPTIONS / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");

        parser.TryParse(Sequences.Whole(request), first, out _);
        parser.TryParse(Sequences.Whole(request), second, out _);

        Assert.That(second.Method, Is.SameAs(first.Method));
        Assert.That(second.Headers[0].Key, Is.SameAs(first.Headers[0].Key));
        Assert.That(second.Headers[1].Key, Is.SameAs(first.Headers[1].Key));
    }

    [Test]
    public void ARequestLineOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRejectedWith414()
    {
        const string Prefix = "GET /";
        const string Suffix = " HTTP/1.1";
        var limits = new HttpParserLimits { RequestLineSizeLimit = 40 };
        string atLimit = Prefix + new string('a', 40 - Prefix.Length - Suffix.Length) + Suffix;

        Assert.That(Parse(atLimit + "\r\nHost: h\r\n\r\n", limits).Target, Has.Length.EqualTo(40 - Prefix.Length - Suffix.Length + 1));
        Assert.That(StatusOf("GET /a" + atLimit[5..] + "\r\nHost: h\r\n\r\n", limits), Is.EqualTo(414));
    }

    [Test]
    public void AHeadOfExactlyTheLimitIsAcceptedAndOneByteMoreIsRejectedWith431()
    {
        const string Start = "GET / HTTP/1.1\r\nHost: h\r\nX: ";
        const string End = "\r\n\r\n";
        var limits = new HttpParserLimits { HeaderSizeLimit = 100 };
        string atLimit = Start + new string('v', 100 - Start.Length - End.Length) + End;

        Assert.That(Parse(atLimit, limits).Headers[1].Value, Has.Length.EqualTo(100 - Start.Length - End.Length));
        Assert.That(StatusOf(Start + "v" + atLimit[Start.Length..], limits), Is.EqualTo(431));
    }

    [Test]
    public void AHeadEndingWithinTheLimitIsAcceptedWhateverFollowsIt()
    {
        var limits = new HttpParserLimits { HeaderSizeLimit = 64 };
        string request = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 200\r\n\r\n" + new string('b', 200);

        Assert.That(Parse(request, limits).ContentLength, Is.EqualTo(200));
    }

    [Test]
    public void ContentLengthOfExactlyTheBodyLimitIsAccepted()
    {
        var limits = new HttpParserLimits { BodySizeLimit = 10 };

        Assert.That(Parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n", limits).ContentLength, Is.EqualTo(10));
    }

    [Test]
    public void AnOverlongRequestLineIsRejectedBeforeItEnds()
    {
        var parser = new HttpHeadParser(new HttpParserLimits { RequestLineSizeLimit = 32 });
        ReadOnlySequence<byte> unfinished = Sequences.Whole(Latin1("GET /" + new string('a', 28)));

        Assert.That(() => parser.TryParse(unfinished, new HttpRequestHead(), out _),
            Throws.TypeOf<BadHttpRequestException>().With.Property(nameof(BadHttpRequestException.StatusCode)).EqualTo(414));
    }

    [Test]
    public void AnOversizedHeaderSectionIsRejectedBeforeItEnds()
    {
        var parser = new HttpHeadParser(new HttpParserLimits { HeaderSizeLimit = 64 });
        ReadOnlySequence<byte> unfinished = Sequences.Whole(Latin1("GET / HTTP/1.1\r\nHost: h\r\nX: " + new string('x', 40)));

        Assert.That(() => parser.TryParse(unfinished, new HttpRequestHead(), out _),
            Throws.TypeOf<BadHttpRequestException>().With.Property(nameof(BadHttpRequestException.StatusCode)).EqualTo(431));
    }

    [Test]
    public void TooManyHeaderLinesAreRejectedBeforeTheHeadEnds()
    {
        var parser = new HttpHeadParser(new HttpParserLimits { HeaderCountLimit = 2 });
        ReadOnlySequence<byte> unfinished = Sequences.Whole(Latin1("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n"));

        Assert.That(() => parser.TryParse(unfinished, new HttpRequestHead(), out _),
            Throws.TypeOf<BadHttpRequestException>().With.Property(nameof(BadHttpRequestException.StatusCode)).EqualTo(431));
    }

    [Test]
    public void AHeadArrivingOneByteAtATimeIsScannedInLinearTime()
    {
        // About 2 MB in 180 long lines: rescanning from the start on every call takes about a minute.
        var limits = new HttpParserLimits { HeaderSizeLimit = 4 * 1024 * 1024, HeaderCountLimit = 200 };
        var request = new StringBuilder("GET / HTTP/1.1\r\nHost: h\r\n");
        for (int index = 0; index < 180; index++)
        {
            request.Append("X-Long-").Append(index).Append(": ").Append('v', 11_000).Append("\r\n");
        }

        byte[] bytes = Latin1(request.Append("\r\n").ToString());
        var parser = new HttpHeadParser(limits);
        var head = new HttpRequestHead();
        var stopwatch = Stopwatch.StartNew();

        int completeAt = -1;
        for (int length = 0; length < bytes.Length && completeAt < 0; length++)
        {
            if (parser.TryParse(new ReadOnlySequence<byte>(bytes, 0, length), head, out _))
            {
                completeAt = length;
            }
        }

        Assert.That(completeAt, Is.EqualTo(-1), "complete before the last byte");
        Assert.That(parser.TryParse(new ReadOnlySequence<byte>(bytes), head, out _), Is.True);
        Assert.That(head.Headers, Has.Count.EqualTo(181));
        Assert.That(stopwatch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static HttpRequestHead Parse(string request, HttpParserLimits limits)
    {
        var head = new HttpRequestHead();
        Assert.That(new HttpHeadParser(limits).TryParse(Sequences.Whole(Latin1(request)), head, out _), Is.True);
        return head;
    }

    private static int StatusOf(string request, HttpParserLimits limits)
    {
        try
        {
            new HttpHeadParser(limits).TryParse(Sequences.Whole(Latin1(request)), new HttpRequestHead(), out _);
            return 0;
        }
        catch (BadHttpRequestException rejection)
        {
            return rejection.StatusCode;
        }
    }
}
