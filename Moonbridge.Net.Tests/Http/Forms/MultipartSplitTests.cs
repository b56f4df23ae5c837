using static Moonbridge.Net.Tests.Http.Forms.MultipartHarness;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>However the body is cut into chunks, the parts and their data come out the same.</summary>
public sealed class MultipartSplitTests
{
    private static readonly byte[] s_body = MultipartSamples.Rich;

    private static readonly string s_expected = Parse(s_body).Describe();

    [Test]
    public void TheExpectedResultHasAllFiveParts()
    {
        Assert.That(Parse(s_body).Parts, Has.Count.EqualTo(5));
        Assert.That(s_expected, Does.EndWith("closed"));
    }

    [Test]
    public void SplittingOnceAtEveryPositionGivesTheSameResult()
    {
        for (int split = 0; split <= s_body.Length; split++)
        {
            Assert.That(Parse(s_body, [split, s_body.Length - split]).Describe(), Is.EqualTo(s_expected), $"split at {split}");
        }
    }

    [Test]
    public void WritingByteByByteGivesTheSameResult()
    {
        Assert.That(Parse(s_body, chunkSize: 1).Describe(), Is.EqualTo(s_expected));
    }

    [Test]
    public void EveryFixedChunkSizeGivesTheSameResult()
    {
        for (int size = 1; size <= 100; size++)
        {
            Assert.That(Parse(s_body, chunkSize: size).Describe(), Is.EqualTo(s_expected), $"chunk size {size}");
        }
    }

    [Test]
    public void SplittingTwiceWithTheMiddleChunkInsideEveryDelimiterGivesTheSameResult()
    {
        // A middle chunk of up to twice the delimiter length starts and ends at every position, so every
        // delimiter (and every near miss) is cut into three pieces in every possible way.
        const int maxMiddle = 2 * 10;
        for (int first = 0; first <= s_body.Length; first++)
        {
            for (int middle = 0; middle <= maxMiddle && first + middle <= s_body.Length; middle++)
            {
                int[] sizes = [first, middle, s_body.Length - first - middle];
                Assert.That(Parse(s_body, sizes).Describe(), Is.EqualTo(s_expected), $"chunks {string.Join(",", sizes)}");
            }
        }
    }

    [Test]
    public void RandomChunkingsGiveTheSameResult()
    {
        var random = new Random(20260101);
        for (int run = 0; run < 500; run++)
        {
            var sizes = new List<int>();
            for (int left = s_body.Length; left > 0;)
            {
                int size = Math.Min(left, random.Next(0, 40));
                sizes.Add(size);
                left -= size;
            }

            Assert.That(Parse(s_body, sizes).Describe(), Is.EqualTo(s_expected), $"chunks {string.Join(",", sizes)}");
        }
    }

    [Test]
    public void EmptyWritesChangeNothing()
    {
        var sizes = new List<int>();
        foreach (int size in Chunks(s_body.Length, 3))
        {
            sizes.Add(0);
            sizes.Add(size);
        }

        Assert.That(Parse(s_body, sizes).Describe(), Is.EqualTo(s_expected));
    }

    [Test]
    public void HeldBackBytesThatTurnOutToBeDataAreDeliveredBeforeTheRest()
    {
        // "\r\n--AaB03" is held back at the end of the first chunk, then "y" shows it is data.
        byte[] body = Body(
            "--AaB03x\r\nContent-Disposition: form-data; name=a\r\n\r\n",
            "x\r\n--AaB03",
            "y\r\n--AaB03x--");
        int firstChunk = body.Length - "y\r\n--AaB03x--".Length;

        RecordingMultipartHandler handler = Parse(body, [firstChunk, body.Length - firstChunk]);

        Assert.That(handler.Parts.Single().Text, Is.EqualTo("x\r\n--AaB03y"));
        Assert.That(handler.Calls, Is.EqualTo((string[])["begin:a", "data:1", "data:9", "data:1", "end"]));
    }
}
