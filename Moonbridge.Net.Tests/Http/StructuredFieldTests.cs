using System.Text;
using Moonbridge.Net.Http.StructuredFields;

namespace Moonbridge.Net.Tests.Http;

/// <summary>
/// The RFC 9651 parser and writer behind the upload protocols' header fields: what a strict parser accepts and
/// refuses (a refused field is ignored by its caller), and that what the writer sends parses back.
/// </summary>
public sealed class StructuredFieldTests
{
    private static readonly string[] s_parameterOrder = ["b", "a"];
    private static readonly string[] s_innerTokens = ["c", "d"];
    private static readonly string[] s_dictionaryOrder = ["max-size", "b", "a"];

    [TestCase("5", 5)]
    [TestCase("05", 5)]
    [TestCase(" 42 ", 42)]
    [TestCase("0", 0)]
    [TestCase("7;p=1", 7)]
    [TestCase("999999999999999", 999_999_999_999_999)]
    public void AnOffsetIsANonNegativeIntegerItem(string field, long expected)
    {
        Assert.That(StructuredFieldParser.TryParseNonNegativeInteger(field, out long value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("+5")]
    [TestCase("5.0")]
    [TestCase("-1")]
    [TestCase("1000000000000000")]
    [TestCase("?1")]
    [TestCase("5, 6")]
    [TestCase("5 6")]
    [TestCase("")]
    [TestCase("\t5")]
    [TestCase("0x10")]
    [TestCase("5;P=1")]
    public void AnythingElseIsNoOffset(string field)
        => Assert.That(StructuredFieldParser.TryParseNonNegativeInteger(field, out _), Is.False);

    [TestCase("?1", true)]
    [TestCase("?0", false)]
    [TestCase("?1;p=1", true)]
    public void CompletionIsABooleanItem(string field, bool expected)
    {
        Assert.That(StructuredFieldParser.TryParseBoolean(field, out bool value), Is.True);
        Assert.That(value, Is.EqualTo(expected));
    }

    [TestCase("true")]
    [TestCase("1")]
    [TestCase("?2")]
    [TestCase("?")]
    [TestCase("?1, ?0")]
    public void OtherSpellingsOfTrueAreNoBoolean(string field)
        => Assert.That(StructuredFieldParser.TryParseBoolean(field, out _), Is.False);

    [Test]
    public void NumbersKeepTheirRanges()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Item("-999999999999999").Value.Integer, Is.EqualTo(-999_999_999_999_999));
            Assert.That(Item("1.5").Value.Decimal, Is.EqualTo(1.5m));
            Assert.That(Item("-0.125").Value.Decimal, Is.EqualTo(-0.125m));
            Assert.That(Item("123456789012.123").Value.Decimal, Is.EqualTo(123_456_789_012.123m));
            Assert.That(StructuredFieldParser.TryParseItem("1.2345", out _), Is.False, "four fractional digits");
            Assert.That(StructuredFieldParser.TryParseItem("1234567890123.1", out _), Is.False, "thirteen integer digits");
            Assert.That(StructuredFieldParser.TryParseItem("1.", out _), Is.False, "no fractional digit");
            Assert.That(StructuredFieldParser.TryParseItem("-", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseItem("--1", out _), Is.False);
        });
    }

    [Test]
    public void StringsAllowOnlyTheirTwoEscapesAndPrintableAscii()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Item("\"a \\\"b\\\" \\\\ c\"").Value.Text, Is.EqualTo("a \"b\" \\ c"));
            Assert.That(Item("\"\"").Value.Text, Is.Empty);
            Assert.That(StructuredFieldParser.TryParseItem("\"a\\nb\"", out _), Is.False, "an escape other than quote or backslash");
            Assert.That(StructuredFieldParser.TryParseItem("\"unterminated", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseItem("\"tab\there\"", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseItem("\"caf\u00e9\"", out _), Is.False);
        });
    }

    [Test]
    public void TokensByteSequencesDatesAndDisplayStringsParse()
    {
        Assert.Multiple(() =>
        {
            StructuredValue token = Item("application/partial-upload").Value;
            Assert.That(token.Type, Is.EqualTo(StructuredValueType.Token));
            Assert.That(token.Text, Is.EqualTo("application/partial-upload"));
            Assert.That(Item("*foo:bar").Value.Text, Is.EqualTo("*foo:bar"));
            Assert.That(Encoding.ASCII.GetString(Item(":aGVsbG8=:").Value.Bytes.Span), Is.EqualTo("hello"));
            Assert.That(Item("::").Value.Bytes.Length, Is.Zero);
            Assert.That(StructuredFieldParser.TryParseItem(":aGV sbG8=:", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseItem(":aGVsbG8=", out _), Is.False);
            Assert.That(Item("@1659578233").Value.Date, Is.EqualTo(1_659_578_233));
            Assert.That(StructuredFieldParser.TryParseItem("@1.5", out _), Is.False);
            Assert.That(Item("%\"f%c3%bc%22\"").Value.Text, Is.EqualTo("fü\""));
            Assert.That(StructuredFieldParser.TryParseItem("%\"f%C3%BC\"", out _), Is.False, "uppercase hex");
            Assert.That(StructuredFieldParser.TryParseItem("%\"%ff\"", out _), Is.False, "not UTF-8");
        });
    }

    [Test]
    public void ParametersKeepFieldOrderAndALaterDuplicateWins()
    {
        StructuredItem item = Item("1;b;a=2;b=?0");

        Assert.Multiple(() =>
        {
            Assert.That(item.Parameters.Select(p => p.Key), Is.EqualTo(s_parameterOrder));
            Assert.That(item.TryGetParameter("b", out StructuredValue b) && !b.Boolean, Is.True);
            Assert.That(item.TryGetParameter("a", out StructuredValue a) && a.Integer == 2, Is.True);
            Assert.That(StructuredFieldParser.TryParseItem("1;A=2", out _), Is.False, "keys are lowercase");
            Assert.That(StructuredFieldParser.TryParseItem("1;", out _), Is.False);
        });
    }

    [Test]
    public void ListsSeparateMembersWithCommasAndOptionalWhitespace()
    {
        Assert.That(StructuredFieldParser.TryParseList("a, b;x=1,\t(c  d);y , \"e\"", out IReadOnlyList<StructuredMember> list), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(list, Has.Count.EqualTo(4));
            Assert.That(list[1].Item!.TryGetParameter("x", out _), Is.True);
            Assert.That(list[2].InnerList!.Select(i => i.Value.Text), Is.EqualTo(s_innerTokens));
            Assert.That(list[2].Parameters.Single().Key, Is.EqualTo("y"));
            Assert.That(StructuredFieldParser.TryParseList("", out IReadOnlyList<StructuredMember> empty) && empty.Count == 0, Is.True);
            Assert.That(StructuredFieldParser.TryParseList("a,", out _), Is.False, "a trailing comma");
            Assert.That(StructuredFieldParser.TryParseList("a,,b", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseList("(a b", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseList("(a)b", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseList("(ab)", out _), Is.True);
        });
    }

    [Test]
    public void DictionariesTakeBareKeysAsTrueAndKeepTheFirstPlaceOfARepeatedKey()
    {
        Assert.That(StructuredFieldParser.TryParseDictionary("max-size=100, b;p, a=1, max-size=200", out IReadOnlyList<KeyValuePair<string, StructuredMember>> dictionary), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(dictionary.Select(e => e.Key), Is.EqualTo(s_dictionaryOrder));
            Assert.That(dictionary[0].Value.Item!.Value.Integer, Is.EqualTo(200));
            Assert.That(dictionary[1].Value.Item!.Value.Boolean, Is.True);
            Assert.That(dictionary[1].Value.Parameters.Single().Key, Is.EqualTo("p"));
            Assert.That(StructuredFieldParser.TryParseDictionary("max-size=?1", out IReadOnlyList<KeyValuePair<string, StructuredMember>> wrongType), Is.True, "parsed; the caller ignores a known key of the wrong type");
            Assert.That(wrongType[0].Value.Item!.Value.Type, Is.EqualTo(StructuredValueType.Boolean));
            Assert.That(StructuredFieldParser.TryParseDictionary("Max=1", out _), Is.False);
            Assert.That(StructuredFieldParser.TryParseDictionary("a=1,", out _), Is.False);
        });
    }

    [Test]
    public void TheWriterSendsWhatTheParserAccepts()
    {
        Assert.Multiple(() =>
        {
            Assert.That(StructuredFieldWriter.IntegerDictionary([new("max-size", 1_073_741_824), new("min-size", 0)]), Is.EqualTo("max-size=1073741824, min-size=0"));
            Assert.That(StructuredFieldWriter.Item(new StructuredItem(StructuredValue.FromBoolean(true))), Is.EqualTo("?1"));
            Assert.That(StructuredFieldWriter.Item(new StructuredItem(StructuredValue.FromString("say \"hi\" \\o/"))), Is.EqualTo("\"say \\\"hi\\\" \\\\o/\""));
            Assert.That(StructuredFieldWriter.Item(new StructuredItem(StructuredValue.FromDecimal(1.0005m))), Is.EqualTo("1.0"));
            Assert.That(StructuredFieldWriter.Item(new StructuredItem(StructuredValue.FromDecimal(-2.5m))), Is.EqualTo("-2.5"));
            Assert.That(StructuredFieldWriter.Item(new StructuredItem(StructuredValue.FromDisplayString("fü\"%"))), Is.EqualTo("%\"f%c3%bc%22%25\""));
            Assert.That(() => StructuredValue.FromInteger(1_000_000_000_000_000), Throws.InstanceOf<ArgumentOutOfRangeException>());
            Assert.That(() => StructuredFieldWriter.Item(new StructuredItem(StructuredValue.FromString("line\nbreak"))), Throws.ArgumentException);
            Assert.That(() => StructuredFieldWriter.Item(new StructuredItem(StructuredValue.FromToken("1abc"))), Throws.ArgumentException);
            Assert.That(() => StructuredFieldWriter.IntegerDictionary([new("Upper", 1)]), Throws.ArgumentException);
        });

        const string list = "a;q=0.5, (1 2 \"x\");p=:AAE=:, ?0, @1700000000, %\"caf%c3%a9\", b";
        Assert.That(StructuredFieldParser.TryParseList(list, out IReadOnlyList<StructuredMember> parsed), Is.True);
        string written = StructuredFieldWriter.List(parsed);
        Assert.That(StructuredFieldParser.TryParseList(written, out IReadOnlyList<StructuredMember> again), Is.True);
        Assert.That(written, Is.EqualTo(list));
        Assert.That(StructuredFieldWriter.List(again), Is.EqualTo(written));
    }

    private static StructuredItem Item(string field)
    {
        Assert.That(StructuredFieldParser.TryParseItem(field, out StructuredItem item), Is.True, field);
        return item;
    }
}
