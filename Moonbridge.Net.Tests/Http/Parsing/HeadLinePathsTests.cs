using System.Buffers;
using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>
/// A head is read by the same line readers whether it arrived whole (read at once), in pieces (scanned for
/// its end first) or over several segments (copied first): for any bytes, every way in gives the same head,
/// or the same rejection status.
/// </summary>
public sealed class HeadLinePathsTests
{
    private static readonly string[] s_heads =
    [
        "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain,*/*;q=0.7\r\nConnection: keep-alive\r\n\r\n",
        "POST /p?q=1 HTTP/1.0\r\nHost: h:80\r\nContent-Length: 3\r\nX-Empty:\r\nX-Tab:\ta\tb \t\r\nX-Latin: caf\u00e9\r\n\r\n",
        "OPTIONS * HTTP/1.2\r\nHost: [::1]\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n",
        "\r\nGET http://example.com/x HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n",
    ];

    /// <summary>Bytes that break a line in every way the grammar cares about (line ends, whitespace, versions), and some that do not.</summary>
    private static readonly byte[] s_replacements =
        [(byte)'\r', (byte)'\n', (byte)' ', (byte)'\t', 0, 0x7F, 0xE9, (byte)':', (byte)'x', (byte)'#', (byte)'/', (byte)'.', (byte)'0', (byte)'2'];

    [Test]
    public void EveryOneByteChangeToAHeadHasTheSameOutcomeWholeTrickledAndSegmented()
    {
        foreach (string text in s_heads)
        {
            byte[] original = Encoding.Latin1.GetBytes(text);
            Assert.That(Whole(original), Does.StartWith("accepted"), text);
            for (int position = 0; position < original.Length; position++)
            {
                foreach (byte replacement in s_replacements)
                {
                    byte[] changed = (byte[])original.Clone();
                    changed[position] = replacement;
                    string whole = Whole(changed);
                    string because = $"{text} with byte {position} set to 0x{replacement:X2}";

                    Assert.That(Trickled(changed), Is.EqualTo(whole), because);
                    Assert.That(Outcome(new HttpHeadParser(new HttpParserLimits()), Sequences.OneBytePerSegment(changed)), Is.EqualTo(whole), because);
                }
            }
        }
    }

    [TestCase("HTTP/1.1", "accepted")]
    [TestCase("HTTP/1.0", "accepted")]
    [TestCase("HTTP/1.9", "accepted")]
    [TestCase("HTTP/2.0", "rejected 505")]
    [TestCase("HTTP/0.9", "rejected 505")]
    [TestCase("HTTP/1.10", "rejected 400")]
    [TestCase("HTTP/1.", "rejected 400")]
    [TestCase("HTTP/11", "rejected 400")]
    [TestCase("http/1.1", "rejected 400")]
    [TestCase("HTTP/1.1 ", "rejected 400")]
    [TestCase("", "rejected 400")]
    public void AVersionIsJudgedAlikeWholeTrickledAndSegmented(string version, string expected)
    {
        byte[] bytes = Encoding.ASCII.GetBytes($"GET / {version}\r\nHost: h\r\n\r\n");

        string whole = Whole(bytes);

        Assert.That(whole, Does.StartWith(expected));
        Assert.That(Trickled(bytes), Is.EqualTo(whole));
        Assert.That(Outcome(new HttpHeadParser(new HttpParserLimits()), Sequences.OneBytePerSegment(bytes)), Is.EqualTo(whole));
    }

    [Test]
    public void AFieldLineReadsTheSameInAHeadAsInATrailer()
    {
        string[] lines = ["Host: h", "X-Empty:", "X:  padded \t", "X-Tab:\ta\tb", "X-Latin: caf\u00e9", "X-Del: a\u007Fb", "X-Nul: a\0b", " Folded: x", "Space : x", ": x", "NoColon", "X:\u00FF"];
        foreach (string text in lines)
        {
            byte[] line = Encoding.Latin1.GetBytes(text);
            byte[] withEnd = [.. line, (byte)'\r', (byte)'\n', (byte)'X'];
            bool isRead = FieldLineParser.TryRead(withEnd, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value, out int lineLength);
            string asHeadLine = isRead ? $"{Encoding.Latin1.GetString(name)}|{Encoding.Latin1.GetString(value)}|{lineLength}" : "invalid";

            string asTrailerLine;
            try
            {
                FieldLineParser.Parse(line, out ReadOnlySpan<byte> trailerName, out ReadOnlySpan<byte> trailerValue);
                asTrailerLine = $"{Encoding.Latin1.GetString(trailerName)}|{Encoding.Latin1.GetString(trailerValue)}|{line.Length + 2}";
            }
            catch (BadHttpRequestException rejection)
            {
                Assert.That(rejection.StatusCode, Is.EqualTo(400), text);
                asTrailerLine = "invalid";
            }

            Assert.That(asHeadLine, Is.EqualTo(asTrailerLine), text);
        }
    }

    private static string Whole(byte[] bytes) => Outcome(new HttpHeadParser(new HttpParserLimits()), Sequences.Whole(bytes));

    /// <summary>The bytes as one growing segment, one more byte per call on the same parser, as a slow client sends them.</summary>
    private static string Trickled(byte[] bytes)
    {
        var parser = new HttpHeadParser(new HttpParserLimits());
        ReadOnlySequence<byte> all = Sequences.Whole(bytes);
        string outcome = "incomplete";
        for (int length = 1; length <= bytes.Length && outcome == "incomplete"; length++)
        {
            outcome = Outcome(parser, all.Slice(0, length), reset: false);
        }

        return outcome;
    }

    /// <summary>What the parser made of the bytes, in a form that compares by value.</summary>
    private static string Outcome(HttpHeadParser parser, ReadOnlySequence<byte> buffer, bool reset = true)
    {
        var head = new HttpRequestHead();
        if (reset)
        {
            parser.Reset();
        }

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
            return $"rejected {rejection.StatusCode} {rejection.Reason}";
        }
    }
}
