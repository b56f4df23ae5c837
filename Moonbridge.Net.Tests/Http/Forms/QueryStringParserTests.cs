using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>GET parameters: the original's measured examples and the documented fixes.</summary>
public sealed class QueryStringParserTests
{
    [Test]
    public void ThePlusAndPercentExampleDecodesAsMeasured()
    {
        FormParameters parameters = Parse("?y=%41%2b+z");

        Assert.That(parameters["y"], Is.EqualTo("A+ z"));
    }

    [Test]
    public void TheOriginalsFormExampleFollowsTheDocumentedRules()
    {
        // The original gave a={1,2}, b="x y!", c="", ""={e,4} and dropped noeq.
        FormParameters parameters = Parse("a=1&b=x+y%21&a=2&noeq&=e&c=&d?=4");

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
    public void TheLeadingQuestionMarkIsOptional()
    {
        FormAssert.HasExactly(Parse("a=1"), ("a", ["1"]));
        FormAssert.HasExactly(Parse("?a=1"), ("a", ["1"]));
    }

    [TestCase("")]
    [TestCase("?")]
    [TestCase("&&&")]
    [TestCase("?&")]
    public void EmptyQueriesAndEmptyItemsGiveNothing(string query)
    {
        Assert.That(Parse(query), Is.Empty);
    }

    [Test]
    public void EmptyItemsBetweenOthersAreSkipped()
    {
        FormAssert.HasExactly(Parse("a=1&&b=2&"), ("a", ["1"]), ("b", ["2"]));
    }

    [Test]
    public void OnlyTheFirstEqualsSignSplitsNameFromValue()
    {
        FormAssert.HasExactly(Parse("a=b=c&d=="), ("a", ["b=c"]), ("d", ["="]));
    }

    [Test]
    public void EncodedSeparatorsAreDataBecauseDecodingHappensAfterSplitting()
    {
        FormAssert.HasExactly(Parse("k%3Dx=v%26w%3Dz"), ("k=x", ["v&w=z"]));
    }

    [Test]
    public void SemicolonsAreNotSeparators()
    {
        FormAssert.HasExactly(Parse("a=1;b=2"), ("a", ["1;b=2"]));
    }

    [Test]
    public void NamesAreDecodedToo()
    {
        FormAssert.HasExactly(Parse("first+name=J%C3%BCrgen&%E2%82%AC=1"), ("first name", ["Jürgen"]), ("€", ["1"]));
    }

    [Test]
    public void AnotherQuestionMarkIsData()
    {
        FormAssert.HasExactly(Parse("?a=?b"), ("a", ["?b"]));
    }

    private static FormParameters Parse(string query)
    {
        var parameters = new FormParameters();
        QueryStringParser.Parse(query, parameters);
        return parameters;
    }
}
