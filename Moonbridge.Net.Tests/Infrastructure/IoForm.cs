namespace Moonbridge.Net.Tests.Infrastructure;

/// <summary>The four forms every <c>MoonSocket</c> operation comes in.</summary>
public enum IoForm
{
    /// <summary><c>Read</c>, <c>Drain</c>, <c>Write</c>, <c>Flush</c>: the calling thread waits.</summary>
    Blocking,

    /// <summary><c>ReadNb</c> and friends in a loop, waiting with <c>MoonbridgeIO.Poll</c> in between.</summary>
    NonBlocking,

    /// <summary><c>ReadCall</c> and friends with a wait function that polls the socket.</summary>
    Callback,

    /// <summary><c>ReadAsync</c> and friends.</summary>
    Async,
}
