using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>Progress ids: the safe character set and length, minted ids, and the query lookup.</summary>
public sealed class ProgressIdTests
{
    [TestCase("a")]
    [TestCase("0")]
    [TestCase("0123456789abcdef0123456789abcdef")]
    [TestCase("550e8400-e29b-41d4-a716-446655440000")]
    [TestCase("A.b_c~d-e")]
    [TestCase("0.8722384753247")]
    public void SafeIdsAreValid(string id)
    {
        Assert.That(ProgressId.IsValid(id), Is.True);
    }

    [TestCase("")]
    [TestCase(" ")]
    [TestCase("a b")]
    [TestCase("a+b")]
    [TestCase("a/b")]
    [TestCase("a%20b")]
    [TestCase("a:b")]
    [TestCase("{abc}")]
    [TestCase("<script>")]
    [TestCase("\"quoted\"")]
    [TestCase("line\nbreak")]
    [TestCase("nul\0")]
    [TestCase("ünïcode")]
    public void IdsWithOtherCharactersAreInvalid(string id)
    {
        Assert.That(ProgressId.IsValid(id), Is.False);
    }

    [Test]
    public void IdsUpTo128CharactersAreValidAndLongerOnesAreNot()
    {
        Assert.That(ProgressId.IsValid(new string('x', 128)), Is.True);
        Assert.That(ProgressId.IsValid(new string('x', 129)), Is.False);
    }

    [Test]
    public void MintedIdsAre32LowercaseHexDigitsAndValid()
    {
        string id = ProgressId.NewId();

        Assert.That(id, Has.Length.EqualTo(32));
        Assert.That(id.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c)), Is.True, id);
        Assert.That(ProgressId.IsValid(id), Is.True);
    }

    [Test]
    public void MintedIdsAreUnique()
    {
        string[] ids = Enumerable.Range(0, 10_000).Select(_ => ProgressId.NewId()).ToArray();

        Assert.That(ids, Is.Unique);
    }

    [TestCase("X-Progress-Id=abc")]
    [TestCase("?X-Progress-Id=abc")]
    [TestCase("X-Progress-ID=abc")]
    [TestCase("x-progress-id=abc")]
    [TestCase("X-PROGRESS-ID=abc")]
    [TestCase("a=1&X-Progress-Id=abc")]
    [TestCase("?a=1&X-Progress-ID=abc&b=2")]
    [TestCase("&&X-Progress-Id=abc&")]
    [TestCase("X-Progress-Id=abc&X-Progress-Id=other")]
    [TestCase("X-Progress-Id=%61%62%63")]
    [TestCase("X-Progress-Id=%61b%63")]
    [TestCase("X%2DProgress%2Did=abc")]
    [TestCase("x-progress-id%3d=x&X-Progress-Id=abc")]
    public void TheIdIsFoundInAnySpellingAndDecoded(string query)
    {
        bool found = ProgressId.TryGetFromQuery(query, out string? id);

        Assert.That(found, Is.True);
        Assert.That(id, Is.EqualTo("abc"));
    }

    [Test]
    public void AnEncodedUuidDecodesToTheUuid()
    {
        Assert.That(ProgressId.TryGetFromQuery("?X-Progress-ID=550e8400%2De29b%2D41d4%2Da716%2D446655440000", out string? id), Is.True);
        Assert.That(id, Is.EqualTo("550e8400-e29b-41d4-a716-446655440000"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("?")]
    [TestCase("a=1&b=2")]
    [TestCase("X-Progress-Id")]
    [TestCase("X-Progress-Id=")]
    [TestCase("X-Progress-Idx=abc")]
    [TestCase("XX-Progress-Id=abc")]
    [TestCase("X-Progress-\u0131d=abc")]
    [TestCase("X-Progre\u017Fs-Id=abc")]
    [TestCase("X-Progress-%C4%B1d=abc")]
    [TestCase("X-Progress-Id%=abc")]
    [TestCase("X-Progress-Id=a+b")]
    [TestCase("X-Progress-Id=a%20b")]
    [TestCase("X-Progress-Id=a%2")]
    [TestCase("X-Progress-Id=a%")]
    [TestCase("X-Progress-Id=a%zz")]
    [TestCase("X-Progress-Id=%C3%BC")]
    [TestCase("X-Progress-Id=a/b")]
    [TestCase("X-Progress-Id=%3Cscript%3E")]
    [TestCase("X-Progress-Id=bad!&X-Progress-Id=good")]
    public void AMissingOrInvalidIdIsNotFound(string? query)
    {
        bool found = ProgressId.TryGetFromQuery(query, out string? id);

        Assert.That(found, Is.False);
        Assert.That(id, Is.Null);
    }

    [Test]
    public void AnIdOf128CharactersIsFoundAndOneOf129IsNot()
    {
        string longest = new('7', 128);

        Assert.That(ProgressId.TryGetFromQuery("X-Progress-Id=" + longest, out string? id), Is.True);
        Assert.That(id, Is.EqualTo(longest));
        Assert.That(ProgressId.TryGetFromQuery("X-Progress-Id=" + longest + "7", out _), Is.False);
    }

    [Test]
    public void AFullyEncodedIdOf128CharactersIsFound()
    {
        string encoded = string.Concat(Enumerable.Repeat("%41", 128));

        Assert.That(ProgressId.TryGetFromQuery("X-Progress-Id=" + encoded, out string? id), Is.True);
        Assert.That(id, Is.EqualTo(new string('A', 128)));
    }
}
