using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary><c>request.cookies</c>: RFC 6265 parsing with the fixes documented on <see cref="CookieParser"/>.</summary>
public sealed class CookieParserTests
{
    [Test]
    public void PairsAreSeparatedBySemicolonsWithOptionalSpaces()
    {
        Dictionary<string, string> cookies = Parse("a=1; b=2;c=3 ;  d = 4");

        Assert.That(cookies, Is.EquivalentTo(new Dictionary<string, string>
        {
            ["a"] = "1",
            ["b"] = "2",
            ["c"] = "3",
            ["d"] = "4",
        }));
    }

    [Test]
    public void AValueMayContainEqualsSigns()
    {
        // The original split this into c="q" and ""="r".
        Dictionary<string, string> cookies = Parse("c=q=r; token=abc==");

        Assert.That(cookies["c"], Is.EqualTo("q=r"));
        Assert.That(cookies["token"], Is.EqualTo("abc=="));
        Assert.That(cookies, Has.Count.EqualTo(2));
    }

    [Test]
    public void NothingIsDecoded()
    {
        Dictionary<string, string> cookies = Parse("a+b=x+y; p=%41%20");

        Assert.That(cookies["a+b"], Is.EqualTo("x+y"));
        Assert.That(cookies["p"], Is.EqualTo("%41%20"));
    }

    [Test]
    public void SurroundingDoubleQuotesAreRemoved()
    {
        Dictionary<string, string> cookies = Parse("q=\"quoted value\"; half=\"open; one=\"");

        Assert.That(cookies["q"], Is.EqualTo("quoted value"));
        Assert.That(cookies["half"], Is.EqualTo("\"open"));
        Assert.That(cookies["one"], Is.EqualTo("\""));
    }

    [Test]
    public void TheFirstOfARepeatedNameWinsAcrossHeaders()
    {
        Dictionary<string, string> cookies = Parse("id=specific; id=general", "id=third; other=1");

        Assert.That(cookies["id"], Is.EqualTo("specific"));
        Assert.That(cookies["other"], Is.EqualTo("1"));
    }

    [Test]
    public void PairsWithoutEqualsOrWithAnEmptyNameAreIgnored()
    {
        Dictionary<string, string> cookies = Parse("lonely; =nameless; ; a=1;;");

        Assert.That(cookies, Is.EquivalentTo(new Dictionary<string, string> { ["a"] = "1" }));
    }

    [Test]
    public void EmptyValuesAreKept()
    {
        Dictionary<string, string> cookies = Parse("empty=; quoted=\"\"");

        Assert.That(cookies["empty"], Is.Empty);
        Assert.That(cookies["quoted"], Is.Empty);
    }

    [Test]
    public void NamesAreCaseSensitive()
    {
        Dictionary<string, string> cookies = Parse("SID=upper; sid=lower");

        Assert.That(cookies["SID"], Is.EqualTo("upper"));
        Assert.That(cookies["sid"], Is.EqualTo("lower"));
    }

    [Test]
    public void NoHeadersGiveNoCookies()
    {
        Assert.That(Parse(), Is.Empty);
        Assert.That(Parse(""), Is.Empty);
    }

    private static Dictionary<string, string> Parse(params string[] headers)
    {
        var cookies = new Dictionary<string, string>(StringComparer.Ordinal);
        CookieParser.Parse(headers, cookies);
        return cookies;
    }
}
