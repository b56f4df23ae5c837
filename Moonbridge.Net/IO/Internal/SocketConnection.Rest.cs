namespace Moonbridge.Net.IO.Internal;

internal sealed partial class SocketConnection
{
    /// <summary>
    /// The event loop's receiver of this connection, null on the socket engine: a keep-alive connection between requests
    /// rests on it (<see cref="LoopReceiver.Rest"/>), holding only its descriptor and this object.
    /// </summary>
    internal LoopReceiver? LoopReceiver => IsClosed ? null : _loopReceiver;
}
