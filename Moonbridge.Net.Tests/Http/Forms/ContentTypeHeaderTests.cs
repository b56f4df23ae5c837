using Moonbridge.Net.Http.Forms;

namespace Moonbridge.Net.Tests.Http.Forms;

/// <summary>Media type, parameters and the multipart boundary of a <c>Content-Type</c> value.</summary>
public sealed class ContentTypeHeaderTests
{
    [TestCase("multipart/form-data; boundary=AaB03x")]
    [TestCase("multipart/form-data; boundary=\"AaB03x\"")]
    [TestCase("multipart/form-data;boundary=AaB03x")]
    [TestCase("multipart/form-data ; boundary = AaB03x ")]
    [TestCase("multipart/form-data; boundary=AaB03x; charset=utf-8")]
    [TestCase("multipart/form-data; charset=utf-8; boundary=AaB03x; x=y")]
    [TestCase("multipart/form-data; charset=utf-8; boundary=\"AaB03x\"")]
    [TestCase("MULTIPART/Form-Data; BOUNDARY=AaB03x")]
    [TestCase("multipart/form-data; other=\"with ; semicolon\"; boundary=AaB03x")]
    [TestCase("multipart/form-data; boundary=AaB03x; boundary=second")]
    public void TheBoundaryIsFoundAnywhereQuotedOrNot(string header)
    {
        Assert.That(ContentTypeHeader.TryGetBoundary(header, out string? boundary), Is.True);
        Assert.That(boundary, Is.EqualTo("AaB03x"));
    }

    [Test]
    public void AQuotedBoundaryMayContainSpacesAndSeparators()
    {
        Assert.That(ContentTypeHeader.TryGetBoundary("multipart/form-data; boundary=\"a b:c,d=e?\"", out string? boundary), Is.True);
        Assert.That(boundary, Is.EqualTo("a b:c,d=e?"));
    }

    [TestCase("application/x-www-form-urlencoded")]
    [TestCase("multipart/mixed; boundary=AaB03x")]
    [TestCase("text/plain")]
    [TestCase("")]
    public void OtherMediaTypesHaveNoBoundary(string header)
    {
        Assert.That(ContentTypeHeader.TryGetBoundary(header, out string? boundary), Is.False);
        Assert.That(boundary, Is.Null);
    }

    [TestCase("multipart/form-data")]
    [TestCase("multipart/form-data; charset=utf-8")]
    [TestCase("multipart/form-data; boundary=")]
    [TestCase("multipart/form-data; boundary=\"\"")]
    [TestCase("multipart/form-data; boundary=\"ends with space \"")]
    [TestCase("multipart/form-data; boundary=bad*char")]
    [TestCase("multipart/form-data; boundary=\"bad\\\"quote\"")]
    [TestCase("multipart/form-data; boundary=a23456789b123456789c123456789d123456789e123456789f123456789g12345678912")]
    public void AMissingOrInvalidBoundaryIsRejectedWith400(string header)
    {
        FormParseException? error = Assert.Throws<FormParseException>(() => ContentTypeHeader.TryGetBoundary(header, out _));

        Assert.That(error!.StatusCode, Is.EqualTo(400));
    }

    [Test]
    public void ABoundaryOfSeventyCharactersIsAccepted()
    {
        string seventy = new('x', 70);

        Assert.That(ContentTypeHeader.TryGetBoundary($"multipart/form-data; boundary={seventy}", out string? boundary), Is.True);
        Assert.That(boundary, Is.EqualTo(seventy));
    }

    [Test]
    public void TryParseLowercasesTheMediaTypeAndReadsParametersCaseInsensitively()
    {
        Assert.That(
            ContentTypeHeader.TryParse("Text/HTML; Charset=UTF-8; title=\"quoted \\\" value\"; flag; q=\"a\\\\b\"", out string? mediaType, out Dictionary<string, string>? parameters),
            Is.True);
        Assert.That(mediaType, Is.EqualTo("text/html"));
        Assert.That(parameters!["charset"], Is.EqualTo("UTF-8"));
        Assert.That(parameters["TITLE"], Is.EqualTo("quoted \" value"));
        Assert.That(parameters["q"], Is.EqualTo("a\\b"));
        Assert.That(parameters.ContainsKey("flag"), Is.False);
    }

    [Test]
    public void AnUnterminatedQuotedValueRunsToTheEnd()
    {
        Assert.That(ContentTypeHeader.TryParse("a/b; x=\"open; y=1", out _, out Dictionary<string, string>? parameters), Is.True);
        Assert.That(parameters!["x"], Is.EqualTo("open; y=1"));
    }

    [TestCase("")]
    [TestCase("text")]
    [TestCase("/plain")]
    [TestCase("text/")]
    [TestCase("text /plain")]
    public void TryParseRejectsAValueWithoutTypeAndSubtype(string header)
    {
        Assert.That(ContentTypeHeader.TryParse(header, out string? mediaType, out _), Is.False);
        Assert.That(mediaType, Is.Null);
    }

    [TestCase("application/x-www-form-urlencoded", true)]
    [TestCase("Application/X-WWW-Form-URLEncoded; charset=UTF-8", true)]
    [TestCase("application/x-www-form-urlencoded;charset=UTF-8", true)]
    [TestCase("application/x-www-form-urlencodedX", false)]
    [TestCase("application/json", false)]
    public void IsMediaTypeComparesTheMediaTypeCaseInsensitively(string header, bool expected)
    {
        Assert.That(ContentTypeHeader.IsMediaType(header, ContentTypeHeader.FormUrlEncoded), Is.EqualTo(expected));
    }
}
