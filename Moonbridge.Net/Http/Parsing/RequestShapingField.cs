namespace Moonbridge.Net.Http.Parsing;

/// <summary>The fields <see cref="RequestHeaderFacts"/> takes note of, so a field recognised once need not be recognised again by name.</summary>
internal enum RequestShapingField : byte
{
    None,
    Host,
    Expect,
    Connection,
    ContentLength,
    TransferEncoding,
}
