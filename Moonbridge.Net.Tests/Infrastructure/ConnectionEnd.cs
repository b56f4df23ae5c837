using System.Text;

namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>How a connection ended from the client's side: what arrived before the end, and whether the end was a reset.</summary>
internal sealed record ConnectionEnd(byte[] Data, bool Reset)
{
    /// <summary>The data as Latin-1 text (byte for byte).</summary>
    public string Text => Encoding.Latin1.GetString(Data);
}
