using System.Text;
using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>POST bodies of type <c>application/x-www-form-urlencoded</c>, written in chunks.</summary>
public sealed class UrlEncodedBodyParserTests
{
    private const string MeasuredBody = "a=1&b=x+y%21&a=2&noeq&=e&c=&d?=4";

    [Test]
    public void TheOriginalsMeasuredBodyFollowsTheDocumentedRules()
    {
        FormParameters parameters = Parse(MeasuredBody, chunkSize: int.MaxValue);

        FormAssert.HasExactly(
            parameters,
            ("a", ["1", "2"]),
            ("b", ["x y!"]),
            ("noeq", [""]),
            ("", ["e"]),
            ("c", [""]),
            ("d?", ["4"]));
    }

    [Test]
    public void TheBodyGivesTheSameFieldsAsTheQueryParser()
    {
        const string body = "x=%E2%82%AC+1&y&&z=a=b&%41=%2&q=%zz";
        var expected = new FormParameters();
        QueryStringParser.Parse(body, expected);

        FormParameters actual = Parse(body, chunkSize: int.MaxValue);

        Assert.That(actual, Is.EqualTo(expected));
    }

    [Test]
    public void EverySplitPositionGivesTheSameFields()
    {
        byte[] body = Encoding.UTF8.GetBytes(MeasuredBody + "&u=%C3%A4%E2%82%AC&last=%4");
        FormParameters whole = Parse(body, [body.Length]);

        for (int split = 0; split <= body.Length; split++)
        {
            FormParameters parts = Parse(body, [split, body.Length - split]);
            Assert.That(parts, Is.EqualTo(whole), $"split at {split}");
        }

        Assert.That(Parse(body, Enumerable.Repeat(1, body.Length).ToArray()), Is.EqualTo(whole), "byte by byte");
    }

    [Test]
    public void APercentSequenceSplitAcrossChunksDecodesAsOneCharacter()
    {
        FormParameters parameters = Parse("k=%E2%8", "2%AC");

        Assert.That(parameters["k"], Is.EqualTo("€"));
    }

    [Test]
    public void RawUtf8BytesAreReadAsUtf8()
    {
        FormParameters parameters = Parse("name=Jürgen", chunkSize: 1);

        Assert.That(parameters["name"], Is.EqualTo("Jürgen"));
    }

    [Test]
    public void AnEmptyBodyGivesNoFields()
    {
        var parameters = new FormParameters();
        var parser = new UrlEncodedBodyParser(parameters, 16);
        parser.Complete();

        Assert.That(parameters, Is.Empty);
    }

    [Test]
    public void AFieldAtTheLimitIsAccepted()
    {
        FormParameters parameters = Parse(new string('n', 8) + "=" + new string('v', 8), chunkSize: 3, limit: 8);

        Assert.That(parameters[new string('n', 8)], Is.EqualTo(new string('v', 8)));
    }

    [TestCase("nnnnnnnnn=v")]
    [TestCase("n=vvvvvvvvv")]
    [TestCase("a=1&flagflagflag")]
    public void ANameOrValueOverTheLimitIsRejectedWith413(string body)
    {
        FormParseException? error = Assert.Throws<FormParseException>(() => Parse(body, chunkSize: 2, limit: 8));

        Assert.That(error!.StatusCode, Is.EqualTo(413));
    }

    [Test]
    public void ManyShortFieldsDoNotAddUpToTheLimit()
    {
        string body = string.Join("&", Enumerable.Range(0, 1000).Select(i => $"f{i % 10}={i % 7}"));

        FormParameters parameters = Parse(body, chunkSize: 100, limit: 4);

        Assert.That(parameters.GetAll("f3"), Has.Count.EqualTo(100));
    }

    [Test]
    public void WritingAfterCompleteIsAnError()
    {
        var parser = new UrlEncodedBodyParser(new FormParameters(), 16);
        parser.Complete();

        Assert.Throws<InvalidOperationException>(() => parser.Write("a=1"u8));
    }

    private static FormParameters Parse(string body, int chunkSize, int limit = 1 << 20)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        var sizes = new List<int>();
        for (int at = 0; at < bytes.Length; at += chunkSize)
        {
            sizes.Add(Math.Min(chunkSize, bytes.Length - at));
        }

        return Parse(bytes, [.. sizes], limit);
    }

    private static FormParameters Parse(params string[] chunks)
    {
        var parameters = new FormParameters();
        var parser = new UrlEncodedBodyParser(parameters, 1 << 20);
        foreach (string chunk in chunks)
        {
            parser.Write(Encoding.UTF8.GetBytes(chunk));
        }

        parser.Complete();
        return parameters;
    }

    private static FormParameters Parse(byte[] body, int[] chunkSizes, int limit = 1 << 20)
    {
        var parameters = new FormParameters();
        var parser = new UrlEncodedBodyParser(parameters, limit);
        int at = 0;
        foreach (int size in chunkSizes)
        {
            parser.Write(body.AsSpan(at, size));
            at += size;
        }

        parser.Complete();
        return parameters;
    }
}
