using System.Text;
using Moonbridge.Net.Http.Parsing;

namespace Moonbridge.Net.Tests.Http.Parsing;

/// <summary>A request the parser must reject, with the status it must reject it with.</summary>
public sealed class InvalidRequestVector
{
    internal InvalidRequestVector(string name, string request, int expectedStatus, HttpParserLimits? limits)
    {
        Name = name;
        Bytes = Encoding.Latin1.GetBytes(request);
        ExpectedStatus = expectedStatus;
        Limits = limits ?? new HttpParserLimits();
    }

    public string Name { get; }

    public int ExpectedStatus { get; }

    /// <summary>The request, each char one byte (Latin-1).</summary>
    internal byte[] Bytes { get; }

    internal HttpParserLimits Limits { get; }

    public override string ToString() => Name;
}
