namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// Told when a connection resting between requests (<see cref="LoopReceiver.Rest"/>) has input again, or its input
/// ended: the client spoke, closed, or the connection was aborted.
/// </summary>
internal interface IRestListener
{
    /// <summary>Runs once, on the connection's event loop thread.</summary>
    void OnWake();
}
