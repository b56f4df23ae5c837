using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary><c>uri-host [ ":" port ]</c> as the Host field and absolute-form targets are checked against it.</summary>
public sealed class HostSyntaxTests
{
    [TestCase("example.com")]
    [TestCase("example.com:8080")]
    [TestCase("example.com:")]
    [TestCase("EXAMPLE.com")]
    [TestCase("a-b_c~d.e!$&'()*+,;=")]
    [TestCase("ex%41mple")]
    [TestCase("127.0.0.1")]
    [TestCase("999.1.1.1", Description = "not an IPv4 address, but a valid reg-name")]
    [TestCase("[::]")]
    [TestCase("[::1]:443")]
    [TestCase("[2001:db8::8:800:200c:417a]")]
    [TestCase("[1:2:3:4:5:6:7:8]")]
    [TestCase("[1::]")]
    [TestCase("[1:2:3:4:5:6:7::]")]
    [TestCase("[::ffff:192.0.2.128]")]
    [TestCase("[1:2:3:4:5:6:1.2.3.4]")]
    [TestCase("[v1.fe80::a+en1]", Description = "IPvFuture")]
    public void AValidHostIsAccepted(string host)
    {
        Assert.That(HostSyntax.IsValid(host, allowEmpty: false), Is.True);
    }

    [TestCase("exa mple.com")]
    [TestCase("user@example.com")]
    [TestCase("example.com/path")]
    [TestCase("example.com:80a")]
    [TestCase("example.com:-1")]
    [TestCase("a:1:2")]
    [TestCase("ex%4")]
    [TestCase("ex%zz")]
    [TestCase("caf\u00e9")]
    [TestCase("[::1")]
    [TestCase("[::1]x")]
    [TestCase("[]")]
    [TestCase("[:::]")]
    [TestCase("[1:2:3:4:5:6:7:8:9]")]
    [TestCase("[1:2:3:4:5:6:7]")]
    [TestCase("[1::2::3]")]
    [TestCase("[12345::]")]
    [TestCase("[1:]")]
    [TestCase("[:1]")]
    [TestCase("[::g]")]
    [TestCase("[::1%25eth0]", Description = "zone identifiers are not part of RFC 3986")]
    [TestCase("[::256.1.1.1]")]
    [TestCase("[::01.1.1.1]")]
    [TestCase("[::1.1.1]")]
    [TestCase("[1:2:3:4:5:6:7:1.2.3.4]")]
    [TestCase("[v.x]")]
    [TestCase("[v1.]")]
    [TestCase(":80")]
    public void AnInvalidHostIsRejected(string host)
    {
        Assert.That(HostSyntax.IsValid(host, allowEmpty: true), Is.False);
    }

    [Test]
    public void AnEmptyValueIsValidOnlyWhereAllowed()
    {
        Assert.That(HostSyntax.IsValid(string.Empty, allowEmpty: true), Is.True);
        Assert.That(HostSyntax.IsValid(string.Empty, allowEmpty: false), Is.False);
    }
}
