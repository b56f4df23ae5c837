using System.Buffers;
using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>The chunked request body decoder (RFC 9112 §7.1), fed whole, split and byte by byte.</summary>
public sealed class ChunkedBodyDecoderTests
{
    private const string SimpleBody = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";

    private const string RichBody =
        "5 ; name = value ;flag\t;q=\"quoted \\\" ; \\\\ \xe9\"\r\nhello\r\n"
        + "00A;x=y\r\n, chunked!\r\n"
        + "1\r\n.\r\n"
        + "0 ;last\r\nX-Checksum: abc\r\nEmpty:\r\nLatin: caf\xe9\r\n\r\n";

    private const string RichPayload = "hello, chunked!.";

    [Test]
    public void ASimpleBodyDecodesToItsPayload()
    {
        ChunkedDecodeOutcome outcome = Decode(SimpleBody);

        Assert.That(Text(outcome.Payload), Is.EqualTo("hello world"));
        Assert.That(outcome.IsComplete, Is.True);
        Assert.That(outcome.ConsumedLength, Is.EqualTo(SimpleBody.Length));
    }

    [Test]
    public void BytesAfterTheBodyAreNotConsumed()
    {
        const string NextRequest = "GET / HTTP/1.1\r\n";
        ChunkedDecodeOutcome outcome = Decode(SimpleBody + NextRequest);

        Assert.That(outcome.IsComplete, Is.True);
        Assert.That(outcome.ConsumedLength, Is.EqualTo(SimpleBody.Length));
    }

    [Test]
    public void ExtensionsWithWhitespaceQuotedValuesAndTrailersAreAcceptedAndSkipped()
    {
        ChunkedDecodeOutcome outcome = Decode(RichBody);

        Assert.That(Text(outcome.Payload), Is.EqualTo(RichPayload));
        Assert.That(outcome.IsComplete, Is.True);
        Assert.That(outcome.ConsumedLength, Is.EqualTo(RichBody.Length));
    }

    [Test]
    public void ABodySplitIntoTwoSegmentsAtAnyPositionDecodesTheSame()
    {
        byte[] body = Latin1(RichBody);
        for (int position = 1; position < body.Length; position++)
        {
            ChunkedDecodeOutcome outcome = ChunkedDecoding.Decode(NewDecoder(), Sequences.SplitAt(body, position));

            Assert.That(Text(outcome.Payload), Is.EqualTo(RichPayload), $"split at {position}");
            Assert.That(outcome.ConsumedLength, Is.EqualTo(body.Length), $"split at {position}");
        }
    }

    [Test]
    public void ABodyArrivingOneByteAtATimeDecodesTheSameAndHoldsBackNoMoreThanALine()
    {
        byte[] body = Latin1(RichBody);

        ChunkedDecodeOutcome outcome = ChunkedDecoding.Decode(NewDecoder(), Sequences.OneBytePerSegment(body), arrivalStep: 1);

        Assert.That(Text(outcome.Payload), Is.EqualTo(RichPayload));
        Assert.That(outcome.IsComplete, Is.True);
        Assert.That(outcome.ConsumedLength, Is.EqualTo(body.Length));
        int longestLine = RichBody.Split("\r\n").Max(line => line.Length) + 2;
        Assert.That(outcome.MostHeldBack, Is.LessThanOrEqualTo(longestLine));
    }

    [Test]
    public void AbodyArrivingInAnyStepSizeDecodesTheSame([Values(2, 3, 7, 16)] int step)
    {
        ChunkedDecodeOutcome outcome = ChunkedDecoding.Decode(NewDecoder(), Sequences.Whole(Latin1(RichBody)), arrivalStep: step);

        Assert.That(Text(outcome.Payload), Is.EqualTo(RichPayload));
        Assert.That(outcome.IsComplete, Is.True);
    }

    [Test]
    public void PayloadIsReturnedInPiecesOfAtMostMaxLength()
    {
        ChunkedDecodeOutcome outcome = ChunkedDecoding.Decode(NewDecoder(), Sequences.Whole(Latin1(SimpleBody)), maxLength: 3);

        Assert.That(Text(outcome.Payload), Is.EqualTo("hello world"));
        Assert.That(outcome.LargestPayload, Is.EqualTo(3));
    }

    [Test]
    public void DataReturnsASliceOfTheInputAndConsumedEndsRightAfterIt()
    {
        ReadOnlySequence<byte> input = Sequences.Whole(Latin1("5\r\nhello\r\n"));

        ChunkedReadStatus status = NewDecoder().Read(input, 2, out ReadOnlySequence<byte> payload, out SequencePosition consumed);

        Assert.That(status, Is.EqualTo(ChunkedReadStatus.Data));
        Assert.That(Text(payload.ToArray()), Is.EqualTo("he"));
        Assert.That(Sequences.OffsetOf(input, consumed), Is.EqualTo(5));
    }

    [Test]
    public void AnIncompleteSizeLineConsumesNothingUntilItEnds()
    {
        ChunkedBodyDecoder decoder = NewDecoder();
        ReadOnlySequence<byte> input = Sequences.Whole(Latin1("5;ext=val"));

        ChunkedReadStatus status = decoder.Read(input, 100, out ReadOnlySequence<byte> payload, out SequencePosition consumed);

        Assert.That(status, Is.EqualTo(ChunkedReadStatus.NeedMoreData));
        Assert.That(payload.IsEmpty, Is.True);
        Assert.That(consumed, Is.EqualTo(input.Start));
    }

    [Test]
    public void FramingBeforeTheEndOfInputIsConsumedWhenMoreIsNeeded()
    {
        ChunkedBodyDecoder decoder = NewDecoder();
        ReadOnlySequence<byte> input = Sequences.Whole(Latin1("3\r\nabc\r\n0\r\nX: 1\r\nY"));

        Assert.That(decoder.Read(input, 100, out _, out SequencePosition afterData), Is.EqualTo(ChunkedReadStatus.Data));
        input = input.Slice(afterData);
        Assert.That(decoder.Read(input, 100, out _, out SequencePosition consumed), Is.EqualTo(ChunkedReadStatus.NeedMoreData));

        Assert.That(Text(input.Slice(consumed).ToArray()), Is.EqualTo("Y"));
        Assert.That(decoder.IsComplete, Is.False);
    }

    [Test]
    public void EmptyInputNeedsMoreData()
    {
        ChunkedReadStatus status = NewDecoder().Read(ReadOnlySequence<byte>.Empty, 10, out _, out SequencePosition consumed);

        Assert.That(status, Is.EqualTo(ChunkedReadStatus.NeedMoreData));
        Assert.That(consumed, Is.EqualTo(ReadOnlySequence<byte>.Empty.Start));
    }

    [Test]
    public void ReadingAfterTheEndReportsCompleteAndResetStartsANewBody()
    {
        ChunkedBodyDecoder decoder = NewDecoder();
        ChunkedDecoding.Decode(decoder, Sequences.Whole(Latin1(SimpleBody)));
        ReadOnlySequence<byte> next = Sequences.Whole(Latin1("2\r\nok\r\n0\r\n\r\n"));

        Assert.That(decoder.IsComplete, Is.True);
        Assert.That(decoder.Read(next, 10, out _, out SequencePosition consumed), Is.EqualTo(ChunkedReadStatus.Complete));
        Assert.That(consumed, Is.EqualTo(next.Start));

        decoder.Reset();

        Assert.That(decoder.IsComplete, Is.False);
        Assert.That(Text(ChunkedDecoding.Decode(decoder, next).Payload), Is.EqualTo("ok"));
    }

    [Test]
    public void ANonPositiveMaxLengthIsAProgrammingError([Values(0, -1)] long maxLength)
    {
        Assert.That(() => NewDecoder().Read(Sequences.Whole(Latin1(SimpleBody)), maxLength, out _, out _),
            Throws.TypeOf<ArgumentOutOfRangeException>());
    }

    [TestCase("000A\r\n0123456789\r\n0\r\n\r\n", "0123456789")]
    [TestCase("a\r\n0123456789\r\n00000\r\n\r\n", "0123456789")]
    [TestCase("00000000000000000000001\r\nx\r\n0\r\n\r\n", "x")]
    public void HexSizesMayHaveEitherCaseAndLeadingZeros(string body, string payload)
    {
        Assert.That(Text(Decode(body).Payload), Is.EqualTo(payload));
    }

    [TestCase("1000000000000000\r\n", Description = "16 significant hex digits")]
    [TestCase("FFFFFFFFFFFFFFFFFFFF\r\n", Description = "would overflow a long")]
    public void AChunkSizeWithTooManyDigitsIsRejectedWith400(string body)
    {
        AssertRejected(body, 400);
    }

    [TestCase("5\r\nhelloX\r\n0\r\n\r\n", Description = "data longer than its size")]
    [TestCase("5\r\nhell\r\n0\r\n\r\n", Description = "data shorter than its size")]
    [TestCase("5\r\nhello\n0\r\n\r\n", Description = "bare LF after data")]
    [TestCase("5\r\nhello\r0\r\n\r\n", Description = "bare CR after data")]
    public void AChunkNotEndedByCrlfIsRejectedWith400(string body)
    {
        AssertRejected(body, 400);
    }

    [TestCase("\r\n", Description = "empty size line")]
    [TestCase("x\r\n", Description = "not hex")]
    [TestCase("-5\r\n", Description = "sign")]
    [TestCase("+5\r\n", Description = "plus sign")]
    [TestCase("0x5\r\n", Description = "hex prefix")]
    [TestCase(" 5\r\n", Description = "leading whitespace")]
    [TestCase("5 \r\n", Description = "trailing whitespace")]
    [TestCase("5;a \r\n", Description = "whitespace after an extension")]
    [TestCase("5;\r\n", Description = "extension without a name")]
    [TestCase("5;=v\r\n", Description = "extension value without a name")]
    [TestCase("5;a=\r\n", Description = "extension without a value after '='")]
    [TestCase("5;a b\r\n", Description = "two names")]
    [TestCase("5;a=\"open\r\n", Description = "unterminated quoted string")]
    [TestCase("5;a=\"\u0001\"\r\n", Description = "control character in a quoted string")]
    [TestCase("5;a=\"x\"y\r\n", Description = "text after a quoted string")]
    [TestCase("5;a\0\r\n", Description = "NUL")]
    [TestCase("5\n", Description = "bare LF")]
    [TestCase("5\rX\r\n", Description = "bare CR")]
    [TestCase("\n", Description = "lone LF")]
    public void AMalformedSizeLineIsRejectedWith400(string body)
    {
        AssertRejected(body + "hello\r\n0\r\n\r\n", 400);
    }

    [TestCase("0\r\n folded\r\n\r\n", Description = "obs-fold")]
    [TestCase("0\r\nName : v\r\n\r\n", Description = "space before the colon")]
    [TestCase("0\r\nNoColon\r\n\r\n", Description = "no colon")]
    [TestCase("0\r\nX: a\0\r\n\r\n", Description = "NUL in a value")]
    [TestCase("0\r\nX: a\r\n\n", Description = "bare LF ending the section")]
    [TestCase("0\r\nX: a\nY: b\r\n\r\n", Description = "bare LF ending a trailer line")]
    public void AMalformedTrailerIsRejectedWith400(string body)
    {
        AssertRejected(body, 400);
    }

    [Test]
    public void ASizeLineOverItsLimitIsRejectedWith400EvenBeforeItEnds()
    {
        var limits = new HttpParserLimits { ChunkLineSizeLimit = 16 };
        string atLimit = "5;ext=" + new string('v', 10);

        Assert.That(Text(Decode(atLimit + "\r\nhello\r\n0\r\n\r\n", limits).Payload), Is.EqualTo("hello"));
        AssertRejected(atLimit + "v\r\nhello\r\n0\r\n\r\n", 400, limits);
        AssertRejected(atLimit + "vv", 400, limits);
    }

    [Test]
    public void AnAnnouncedChunkOverTheBodyLimitIsRejectedWith413BeforeItsData()
    {
        var limits = new HttpParserLimits { BodySizeLimit = 100 };

        AssertRejected("65\r\n", 413, limits);
    }

    [Test]
    public void FramingCountsTowardTheBodyLimit()
    {
        // 15 bytes in all, 5 of them payload.
        const string Body = "5\r\nhello\r\n0\r\n\r\n";

        Assert.That(Decode(Body, new HttpParserLimits { BodySizeLimit = Body.Length }).IsComplete, Is.True);
        AssertRejected(Body, 413, new HttpParserLimits { BodySizeLimit = Body.Length - 1 });
    }

    [Test]
    public void ALongSizeLineCountsTowardTheBodyLimitBeforeItEnds()
    {
        AssertRejected("5;ext=" + new string('v', 40), 413, new HttpParserLimits { BodySizeLimit = 20 });
    }

    [Test]
    public void ATrailerSectionOverItsLimitIsRejectedWith431EvenBeforeItEnds()
    {
        // The limit covers the trailer lines and the final CRLF.
        const string Trailer = "X-Checksum: 0123\r\n";
        var limits = new HttpParserLimits { TrailerSizeLimit = Trailer.Length + 2 };

        Assert.That(Decode("0\r\n" + Trailer + "\r\n", limits).IsComplete, Is.True);
        AssertRejected("0\r\n" + Trailer + "Y: 1\r\n\r\n", 431, limits);
        AssertRejected("0\r\nX-Checksum: 0123456789012345678901", 431, limits);
    }

    [Test]
    public void ALongBodyArrivingOneByteAtATimeDecodesCompletely()
    {
        var body = new StringBuilder();
        var payload = new StringBuilder();
        for (int index = 1; index <= 40; index++)
        {
            string data = new((char)('a' + (index % 26)), index);
            body.Append(index.ToString("x", System.Globalization.CultureInfo.InvariantCulture)).Append(";i=").Append(index).Append("\r\n").Append(data).Append("\r\n");
            payload.Append(data);
        }

        byte[] bytes = Latin1(body.Append("0\r\n\r\n").ToString());

        ChunkedDecodeOutcome outcome = ChunkedDecoding.Decode(NewDecoder(), Sequences.OneBytePerSegment(bytes), arrivalStep: 1, maxLength: 7);

        Assert.That(Text(outcome.Payload), Is.EqualTo(payload.ToString()));
        Assert.That(outcome.ConsumedLength, Is.EqualTo(bytes.Length));
    }

    private static ChunkedBodyDecoder NewDecoder(HttpParserLimits? limits = null)
    {
        var decoder = new ChunkedBodyDecoder(limits ?? new HttpParserLimits());
        decoder.Reset();
        return decoder;
    }

    private static ChunkedDecodeOutcome Decode(string body, HttpParserLimits? limits = null)
        => ChunkedDecoding.Decode(NewDecoder(limits), Sequences.Whole(Latin1(body)));

    /// <summary>Whole and byte by byte, the decoder must reject <paramref name="body"/> with <paramref name="status"/>.</summary>
    private static void AssertRejected(string body, int status, HttpParserLimits? limits = null)
    {
        byte[] bytes = Latin1(body);
        Assert.That(() => ChunkedDecoding.Decode(NewDecoder(limits), Sequences.Whole(bytes)),
            Throws.TypeOf<BadHttpRequestException>().With.Property(nameof(BadHttpRequestException.StatusCode)).EqualTo(status), "whole");
        Assert.That(() => ChunkedDecoding.Decode(NewDecoder(limits), Sequences.OneBytePerSegment(bytes), arrivalStep: 1),
            Throws.TypeOf<BadHttpRequestException>().With.Property(nameof(BadHttpRequestException.StatusCode)).EqualTo(status), "byte by byte");
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);

    private static string Text(byte[] bytes) => Encoding.Latin1.GetString(bytes);
}
