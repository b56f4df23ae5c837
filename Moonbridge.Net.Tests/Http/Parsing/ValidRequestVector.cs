using System.Text;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>A request head the parser must accept, and what it must make of it.</summary>
public sealed class ValidRequestVector
{
    internal ValidRequestVector(string name, string request, ExpectedHead expected)
    {
        Name = name;
        Bytes = Encoding.Latin1.GetBytes(request);
        Expected = expected;
    }

    public string Name { get; }

    /// <summary>The request, each char one byte (Latin-1), exactly one head and nothing after it.</summary>
    internal byte[] Bytes { get; }

    internal ExpectedHead Expected { get; }

    public override string ToString() => Name;
}
