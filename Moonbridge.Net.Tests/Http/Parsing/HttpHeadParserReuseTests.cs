using System.Buffers;
using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>
/// A parser reused on a connection remembers the previous head (its strings, its bytes and its line
/// layout) to skip work on lines that repeat. Whatever it remembered, a request
/// must come out exactly as a fresh parser makes it: same head, same end, same rejection status.
/// </summary>
public sealed class HttpHeadParserReuseTests
{
    /// <summary>Heads that exercise the one-pass reader's cases: obs-text, HTAB, empty and padded values, HTTP/1.0.</summary>
    private static readonly string[] s_repeatedHeads =
    [
        "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain,*/*;q=0.7\r\nConnection: keep-alive\r\n\r\n",
        "POST /p?q=1 HTTP/1.1\r\nHost: h:80\r\nContent-Length: 3\r\nX-Empty:\r\nX-Tab:\ta\tb \t\r\nX-Latin: caf\u00e9\r\n\r\n",
        "GET http://example.com/x HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n",
        "GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: [::1]\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
    ];

    /// <summary>Replacement bytes that break a line in every way the grammar cares about, and some that do not.</summary>
    private static readonly byte[] s_replacements = [(byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', 0, 0x7F, 0xE9, (byte)':', (byte)'x', (byte)'#'];

    [Test]
    public void EveryVectorAfterEveryValidVectorOnTheSameParserHasTheFreshParsersOutcome()
    {
        foreach (ValidRequestVector before in HttpRequestVectors.Valid)
        {
            foreach ((byte[] bytes, HttpParserLimits limits) in AllVectors())
            {
                var parser = new HttpHeadParser(limits);
                _ = Outcome(parser, before.Bytes);

                Assert.That(Outcome(parser, bytes), Is.EqualTo(Outcome(new HttpHeadParser(limits), bytes)), Encoding.Latin1.GetString(bytes));
            }
        }
    }

    [Test]
    public void EveryOneByteChangeToARepeatedHeadHasTheFreshParsersOutcome()
    {
        var limits = new HttpParserLimits();
        foreach (string text in s_repeatedHeads)
        {
            byte[] original = Encoding.Latin1.GetBytes(text);
            var parser = new HttpHeadParser(limits);
            for (int position = 0; position < original.Length; position++)
            {
                foreach (byte replacement in s_replacements)
                {
                    byte[] changed = (byte[])original.Clone();
                    changed[position] = replacement;

                    // Twice the original first: the second parse is the one that finds every line remembered.
                    Assert.That(Outcome(parser, original), Does.StartWith("accepted"), text);
                    Assert.That(Outcome(parser, original), Does.StartWith("accepted"), text);

                    Assert.That(
                        Outcome(parser, changed),
                        Is.EqualTo(Outcome(new HttpHeadParser(limits), changed)),
                        $"{text} with byte {position} set to 0x{replacement:X2}");
                }
            }
        }
    }

    [Test]
    public void ARepeatedHeadParsesTheSameWholeAndByteBySegment()
    {
        foreach (string text in s_repeatedHeads)
        {
            byte[] bytes = Encoding.Latin1.GetBytes(text);
            var wholeParser = new HttpHeadParser(new HttpParserLimits());
            var splitParser = new HttpHeadParser(new HttpParserLimits());
            for (int round = 0; round < 3; round++)
            {
                string whole = Outcome(wholeParser, Sequences.Whole(bytes));
                string split = Outcome(splitParser, Sequences.OneBytePerSegment(bytes));

                Assert.That(whole, Does.StartWith("accepted"), text);
                Assert.That(split, Is.EqualTo(whole), text);
            }
        }
    }

    [Test]
    public void PipelinedHeadsInOneSegmentEachHaveTheFreshParsersOutcome()
    {
        foreach (string text in s_repeatedHeads)
        {
            byte[] repeated = Encoding.Latin1.GetBytes(text);
            foreach (ValidRequestVector last in HttpRequestVectors.Valid)
            {
                byte[][] heads = [repeated, repeated, last.Bytes, last.Bytes];
                ReadOnlySequence<byte> rest = Sequences.Whole(heads.SelectMany(bytes => bytes).ToArray());
                var parser = new HttpHeadParser(new HttpParserLimits());
                foreach (byte[] expected in heads)
                {
                    var head = new HttpRequestHead();
                    parser.Reset();
                    Assert.That(parser.TryParse(rest, head, out SequencePosition consumed), Is.True, last.Name);

                    Assert.That(
                        $"accepted {Sequences.OffsetOf(rest, consumed)} {ExpectedHead.From(head)}",
                        Is.EqualTo(Outcome(new HttpHeadParser(new HttpParserLimits()), expected)),
                        last.Name);
                    rest = rest.Slice(consumed);
                }
            }
        }
    }

    [Test]
    public void ARepeatedHeadSharesThePreviousStringsAndStillReadsTheNewOnes()
    {
        var parser = new HttpHeadParser(new HttpParserLimits());
        var first = new HttpRequestHead();
        var second = new HttpRequestHead();
        parser.TryParse(Sequences.Whole(Encoding.Latin1.GetBytes("GET /a?b HTTP/1.1\r\nHost: h\r\nX-V: one\r\nAccept: */*\r\n\r\n")), first, out _);

        parser.TryParse(Sequences.Whole(Encoding.Latin1.GetBytes("GET /a?b HTTP/1.1\r\nHost: h\r\nX-V: two\r\nAccept: */*\r\n\r\n")), second, out _);

        Assert.That(second.Target, Is.SameAs(first.Target));
        Assert.That(second.Path, Is.SameAs(first.Path));
        Assert.That(second.Headers[0].Value, Is.SameAs(first.Headers[0].Value));
        Assert.That(second.Headers[1], Is.EqualTo(new KeyValuePair<string, string>("X-V", "two")));
        Assert.That(second.Headers[2].Value, Is.SameAs(first.Headers[2].Value));
    }

    private static IEnumerable<(byte[] Bytes, HttpParserLimits Limits)> AllVectors()
        => HttpRequestVectors.Valid.Select(vector => (vector.Bytes, new HttpParserLimits()))
            .Concat(HttpRequestVectors.Invalid.Select(vector => (vector.Bytes, vector.Limits)));

    private static string Outcome(HttpHeadParser parser, byte[] bytes) => Outcome(parser, Sequences.Whole(bytes));

    /// <summary>What the parser made of the bytes, as the connection calls it, in a form that compares by value.</summary>
    private static string Outcome(HttpHeadParser parser, ReadOnlySequence<byte> buffer)
    {
        var head = new HttpRequestHead();
        parser.Reset();
        try
        {
            if (!parser.TryParse(buffer, head, out SequencePosition consumed))
            {
                return "incomplete";
            }

            return $"accepted {Sequences.OffsetOf(buffer, consumed)} {ExpectedHead.From(head)}";
        }
        catch (BadHttpRequestException rejection)
        {
            return $"rejected {rejection.StatusCode}";
        }
    }
}
