using Moonbridge.Net.Http;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary><c>encode_html</c>, <c>encode_uri</c> and <c>decode_uri</c>, with the fixes documented on <see cref="HttpEncoding"/>.</summary>
public sealed class HttpEncodingTests
{
    [Test]
    public void EncodeHtmlEscapesTheFiveSpecialCharacters()
    {
        Assert.That(
            HttpEncoding.EncodeHtml("<a href=\"x\" title='y'>Tom & Jerry</a>"),
            Is.EqualTo("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;"));
    }

    [Test]
    public void EncodeHtmlReturnsTextWithoutSpecialCharactersUnchanged()
    {
        const string text = "plain text, ümlauts and € stay";
        Assert.That(HttpEncoding.EncodeHtml(text), Is.SameAs(text));
    }

    [Test]
    public void EncodeHtmlDoesNotTouchExistingEntitiesTwiceButEscapesTheirAmpersand()
    {
        Assert.That(HttpEncoding.EncodeHtml("&amp;"), Is.EqualTo("&amp;amp;"));
    }

    [Test]
    public void EncodeUriKeepsOnlyUnreservedCharacters()
    {
        const string unreserved = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.~-";
        Assert.That(HttpEncoding.EncodeUri(unreserved), Is.SameAs(unreserved));
        Assert.That(HttpEncoding.EncodeUri("a b+c/d?e=f&g%h"), Is.EqualTo("a%20b%2Bc%2Fd%3Fe%3Df%26g%25h"));
    }

    [Test]
    public void EncodeUriWritesUtf8BytesWithUppercaseHex()
    {
        Assert.That(HttpEncoding.EncodeUri("ä€😀"), Is.EqualTo("%C3%A4%E2%82%AC%F0%9F%98%80"));
    }

    [Test]
    public void EncodeUriEncodesALoneSurrogateAsTheReplacementCharacter()
    {
        Assert.That(HttpEncoding.EncodeUri("\uD800"), Is.EqualTo("%EF%BF%BD"));
    }

    [Test]
    public void EncodeUriHandlesLongText()
    {
        string text = string.Concat(Enumerable.Repeat("ä ", 10_000));
        string encoded = HttpEncoding.EncodeUri(text);

        Assert.That(encoded, Has.Length.EqualTo(10_000 * 9));
        Assert.That(HttpEncoding.DecodeUri(encoded), Is.EqualTo(text));
    }

    [Test]
    public void DecodeUriDecodesTheOriginalsMeasuredExample()
    {
        Assert.That(HttpEncoding.DecodeUri("%41%2b+z"), Is.EqualTo("A+ z"));
    }

    [Test]
    public void DecodeUriReadsPercentSequencesAsUtf8InEitherCase()
    {
        Assert.That(HttpEncoding.DecodeUri("%c3%a4%E2%82%AC"), Is.EqualTo("ä€"));
    }

    [TestCase("100%", "100%")]
    [TestCase("%", "%")]
    [TestCase("%4", "%4")]
    [TestCase("%zz%41", "%zzA")]
    [TestCase("%%41", "%A")]
    [TestCase("%4%41", "%4A")]
    [TestCase("%\u00e441", "%\u00e441")]
    public void DecodeUriKeepsInvalidPercentSequencesLiterally(string encoded, string decoded)
    {
        Assert.That(HttpEncoding.DecodeUri(encoded), Is.EqualTo(decoded));
    }

    [Test]
    public void DecodeUriTurnsInvalidUtf8IntoReplacementCharacters()
    {
        Assert.That(HttpEncoding.DecodeUri("a%FFb%C3"), Is.EqualTo("a\uFFFDb\uFFFD"));
    }

    [Test]
    public void DecodeUriKeepsLiteralNonAsciiCharacters()
    {
        Assert.That(HttpEncoding.DecodeUri("ä+%E2%82%AC+😀"), Is.EqualTo("ä € 😀"));
    }

    [Test]
    public void DecodeUriReturnsTextWithoutEscapesUnchanged()
    {
        const string text = "nothing-to-decode";
        Assert.That(HttpEncoding.DecodeUri(text), Is.SameAs(text));
    }

    [Test]
    public void DecodeUriComponentLeavesPlusAlone()
    {
        Assert.That(HttpEncoding.DecodeUriComponent("a+b%20c%2B"), Is.EqualTo("a+b c+"));
    }

    [TestCase("")]
    [TestCase("simple")]
    [TestCase("a b+c&d=e/f?g#h%i")]
    [TestCase("Grüße, 世界! 😀 \"quoted\" 'single' <tag>")]
    [TestCase("\r\n\t\0")]
    public void EncodeUriThenDecodeUriGivesBackTheText(string text)
    {
        Assert.That(HttpEncoding.DecodeUri(HttpEncoding.EncodeUri(text)), Is.EqualTo(text));
        Assert.That(HttpEncoding.DecodeUriComponent(HttpEncoding.EncodeUri(text)), Is.EqualTo(text));
    }

    [Test]
    public void EveryCharacterBelowTheSurrogatesRoundTripsThroughEncodeUri()
    {
        for (int c = 0; c < 0xD800; c++)
        {
            string text = ((char)c).ToString();
            Assert.That(HttpEncoding.DecodeUri(HttpEncoding.EncodeUri(text)), Is.EqualTo(text), $"U+{c:X4}");
        }
    }
}
