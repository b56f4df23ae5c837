using Moonbridge.Net.Progress;

namespace Moonbridge.Net.Tests.Progress;

/// <summary>JSONP callback names: identifier paths pass, anything that could inject script does not.</summary>
public sealed class ProgressCallbackValidationTests
{
    [TestCase("a")]
    [TestCase("progress")]
    [TestCase("a.b")]
    [TestCase("$")]
    [TestCase("_")]
    [TestCase("$x._y1")]
    [TestCase("jQuery1710_1234567890")]
    [TestCase("window.uploads.onProgress")]
    [TestCase("A1.B2.C3")]
    [TestCase("Eval")]
    [TestCase("evaluate")]
    [TestCase("app.locationChanged")]
    [TestCase("upload.documentProgress")]
    public void IdentifierPathsAreValid(string name)
    {
        Assert.That(ProgressFormatter.IsValidCallback(name), Is.True);
    }

    [TestCase("")]
    [TestCase(".")]
    [TestCase("a.")]
    [TestCase(".a")]
    [TestCase("a..b")]
    [TestCase("1a")]
    [TestCase("a.1b")]
    [TestCase("a-b")]
    [TestCase("a b")]
    [TestCase("a;b")]
    [TestCase("alert(1)//")]
    [TestCase("alert(document.cookie)")]
    [TestCase("a=b")]
    [TestCase("<script>")]
    [TestCase("</script><script>alert(1)</script>")]
    [TestCase("a\nb")]
    [TestCase("a\u2028b")]
    [TestCase("a[0]")]
    [TestCase("a['b']")]
    [TestCase("\"a\"")]
    [TestCase("a/*x*/")]
    [TestCase("ünïcode")]
    [TestCase("a\0")]
    [TestCase("eval")]
    [TestCase("Function")]
    [TestCase("self.location.assign")]
    [TestCase("location.replace")]
    [TestCase("window.location")]
    [TestCase("document.write")]
    [TestCase("a.constructor.constructor")]
    [TestCase("Object.prototype.x")]
    [TestCase("x.__proto__")]
    [TestCase("setTimeout")]
    [TestCase("window.open")]
    [TestCase("globalThis.eval")]
    public void AnythingElseIsInvalid(string name)
    {
        Assert.That(ProgressFormatter.IsValidCallback(name), Is.False);
    }

    [Test]
    public void NamesUpTo128CharactersAreValidAndLongerOnesAreNot()
    {
        Assert.That(ProgressFormatter.IsValidCallback(new string('a', 128)), Is.True);
        Assert.That(ProgressFormatter.IsValidCallback(new string('a', 129)), Is.False);
    }
}
