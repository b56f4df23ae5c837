namespace Moonbridge.Net.IO.EventLoop;

/// <summary>What owns a socket registered with an <see cref="EpollLoop"/>; every call comes on the loop's thread.</summary>
internal interface IEpollClient
{
    /// <summary>
    /// Input, the peer's end or an error is there (<paramref name="peerClosing"/>: the event said hang-up or error,
    /// so a short read does not mean drained: the end must be read too). Returns true when input is left that this
    /// call chose not to read yet (its share of the turn was spent), so the loop calls again before it sleeps.
    /// </summary>
    bool OnReadable(bool peerClosing);

    /// <summary>The registration ended (<see cref="EpollRegistration.Close"/>): release what the loop's thread owns.</summary>
    void OnClosed();

    /// <summary>A call above threw what it should not have; the client ends itself. The loop goes on.</summary>
    void OnFault(Exception exception);
}
