using System.Buffers;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>Every shared vector, fed to the parser in every shape a pipe can deliver it.</summary>
public sealed class HttpHeadParserVectorTests
{
    [TestCaseSource(typeof(HttpRequestVectors), nameof(HttpRequestVectors.ValidCases))]
    public void AValidRequestInOneSegmentGivesTheExpectedHead(ValidRequestVector vector)
    {
        AssertParsesToExpectedHead(vector, Sequences.Whole(vector.Bytes));
    }

    [TestCaseSource(typeof(HttpRequestVectors), nameof(HttpRequestVectors.ValidCases))]
    public void AValidRequestSplitIntoTwoSegmentsAtAnyPositionGivesTheExpectedHead(ValidRequestVector vector)
    {
        for (int position = 1; position < vector.Bytes.Length; position++)
        {
            AssertParsesToExpectedHead(vector, Sequences.SplitAt(vector.Bytes, position), $"split at {position}");
        }
    }

    [TestCaseSource(typeof(HttpRequestVectors), nameof(HttpRequestVectors.ValidCases))]
    public void AValidRequestInOneBytePerSegmentGivesTheExpectedHead(ValidRequestVector vector)
    {
        AssertParsesToExpectedHead(vector, Sequences.OneBytePerSegment(vector.Bytes));
    }

    [TestCaseSource(typeof(HttpRequestVectors), nameof(HttpRequestVectors.ValidCases))]
    public void EveryProperPrefixOfAValidRequestNeedsMoreDataOnTheSameParser(ValidRequestVector vector)
    {
        foreach (ReadOnlySequence<byte> whole in new[] { Sequences.Whole(vector.Bytes), Sequences.OneBytePerSegment(vector.Bytes) })
        {
            var parser = new HttpHeadParser(new HttpParserLimits());
            var head = new HttpRequestHead();
            for (int length = 0; length < vector.Bytes.Length; length++)
            {
                ReadOnlySequence<byte> prefix = whole.Slice(0, length);
                bool isComplete = parser.TryParse(prefix, head, out SequencePosition consumed);

                Assert.That(isComplete, Is.False, $"prefix of {length} bytes");
                Assert.That(consumed, Is.EqualTo(prefix.Start), $"prefix of {length} bytes");
            }

            Assert.That(parser.TryParse(whole, head, out SequencePosition end), Is.True);
            Assert.That(Sequences.OffsetOf(whole, end), Is.EqualTo(vector.Bytes.Length));
            Assert.That(ExpectedHead.From(head), Is.EqualTo(vector.Expected));
        }
    }

    [TestCaseSource(typeof(HttpRequestVectors), nameof(HttpRequestVectors.InvalidCases))]
    public void AnInvalidRequestInOneSegmentIsRejectedWithItsStatus(InvalidRequestVector vector)
    {
        var parser = new HttpHeadParser(vector.Limits);

        BadHttpRequestException? rejection = Assert.Throws<BadHttpRequestException>(
            () => parser.TryParse(Sequences.Whole(vector.Bytes), new HttpRequestHead(), out _));

        Assert.That(rejection!.StatusCode, Is.EqualTo(vector.ExpectedStatus), rejection.Reason);
    }

    [TestCaseSource(typeof(HttpRequestVectors), nameof(HttpRequestVectors.InvalidCases))]
    public void AnInvalidRequestArrivingOneBytePerSegmentIsRejectedWithItsStatus(InvalidRequestVector vector)
    {
        var parser = new HttpHeadParser(vector.Limits);
        var head = new HttpRequestHead();
        ReadOnlySequence<byte> whole = Sequences.OneBytePerSegment(vector.Bytes);
        for (int length = 1; length <= vector.Bytes.Length; length++)
        {
            ReadOnlySequence<byte> prefix = whole.Slice(0, length);
            bool isComplete;
            try
            {
                isComplete = parser.TryParse(prefix, head, out _);
            }
            catch (BadHttpRequestException rejection)
            {
                Assert.That(rejection.StatusCode, Is.EqualTo(vector.ExpectedStatus), rejection.Reason);
                return;
            }

            Assert.That(isComplete, Is.False, $"accepted after {length} bytes");
        }

        Assert.Fail("The request was never rejected.");
    }

    private static void AssertParsesToExpectedHead(ValidRequestVector vector, ReadOnlySequence<byte> buffer, string? shape = null)
    {
        var parser = new HttpHeadParser(new HttpParserLimits());
        var head = new HttpRequestHead();

        bool isComplete = parser.TryParse(buffer, head, out SequencePosition consumed);

        Assert.That(isComplete, Is.True, shape);
        Assert.That(Sequences.OffsetOf(buffer, consumed), Is.EqualTo(vector.Bytes.Length), shape);
        Assert.That(ExpectedHead.From(head), Is.EqualTo(vector.Expected), shape);
    }
}
