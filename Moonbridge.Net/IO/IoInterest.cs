namespace Moonbridge.Net.IO;

/// <summary>What a wait function is asked to wait for.</summary>
public enum IoInterest
{
    /// <summary>The socket has input (or end of input) to read.</summary>
    Read,

    /// <summary>The socket can take more output.</summary>
    Write,
}
