using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>The byte classes the parsers rely on.</summary>
public sealed class HttpCharactersTests
{
    [Test]
    public void FieldValueBytesAreHtabAndEverythingFromSpaceUpExceptDel()
    {
        for (int value = 0; value <= 0xFF; value++)
        {
            bool isExpected = value == '\t' || (value >= 0x20 && value != 0x7F);
            Assert.That(HttpCharacters.FieldValueChars.Contains((byte)value), Is.EqualTo(isExpected), $"0x{value:X2}");
            Assert.That(HttpCharacters.IsFieldValueByte((byte)value), Is.EqualTo(isExpected), $"0x{value:X2}");
        }
    }

    [Test]
    public void TokenBytesAreExactlyTheTcharsOfRfc9110()
    {
        const string Tchars = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        for (int value = 0; value <= 0xFF; value++)
        {
            Assert.That(HttpCharacters.TokenChars.Contains((byte)value), Is.EqualTo(Tchars.Contains((char)value, StringComparison.Ordinal)), $"0x{value:X2}");
        }
    }
}
