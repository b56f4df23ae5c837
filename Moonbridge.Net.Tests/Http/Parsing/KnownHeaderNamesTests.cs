using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>The shared strings for common field names: every one is found, and nothing else is mistaken for one.</summary>
public sealed class KnownHeaderNamesTests
{
    private static readonly string[] s_knownNames =
    [
        "Host", "Accept", "Cookie", "Expect", "Origin", "Pragma", "Referer", "Upgrade", "Connection",
        "User-Agent", "Content-Type", "Authorization", "Cache-Control", "If-None-Match", "Content-Length",
        "Accept-Encoding", "Accept-Language", "Transfer-Encoding", "If-Modified-Since",
    ];

    [TestCaseSource(nameof(s_knownNames))]
    public void AKnownNameInItsUsualSpellingIsASharedString(string name)
    {
        string first = KnownHeaderNames.GetString(Encoding.ASCII.GetBytes(name));
        string second = KnownHeaderNames.GetString(Encoding.ASCII.GetBytes(name));

        Assert.That(first, Is.EqualTo(name));
        Assert.That(second, Is.SameAs(first));
    }

    [TestCase("host")]
    [TestCase("HOST")]
    [TestCase("Hosx")]
    [TestCase("Accepx")]
    [TestCase("Refereq")]
    [TestCase("Upgradf")]
    [TestCase("User-Agenx")]
    [TestCase("Connectiom")]
    [TestCase("If-None-Matcx")]
    [TestCase("Accept-Encodinx")]
    [TestCase("Accept-Languagx")]
    [TestCase("If-Modified-Sincf")]
    [TestCase("X-Forwarded-For")]
    [TestCase("Sec-Fetch-Site")]
    public void AnyOtherNameIsDecodedAsSent(string name)
    {
        Assert.That(KnownHeaderNames.GetString(Encoding.ASCII.GetBytes(name)), Is.EqualTo(name));
    }
}
