using System.IO.Pipelines;

namespace Moonbridge.Net.IO.Internal;

internal sealed partial class SocketConnection
{
    /// <summary>
    /// The event loop's receiver of this connection, null on the socket engine: a keep-alive connection between requests
    /// rests on it (<see cref="LoopReceiver.Rest"/>), holding only its descriptor and this object.
    /// </summary>
    internal LoopReceiver? LoopReceiver => IsClosed ? null : _loopReceiver;

    /// <summary>The writer the receiver fills.</summary>
    internal PipeWriter InputWriter => InputPipe.Writer;

    /// <summary>The input pipe; a resting connection has none until it is asked for (<see cref="ReleaseInput"/>).</summary>
    private Pipe InputPipe => _input ?? RenewInput();

    /// <summary>Lets the empty, idle input pipe go to the loop's <see cref="InputPipePool"/> while the connection rests (half of what it would hold).</summary>
    internal void ReleaseInput()
    {
        if (Interlocked.Exchange(ref _input, null) is { } released)
        {
            InputPipePool.Return(released, Loop);
        }
    }

    private Pipe RenewInput()
    {
        Pipe renewed = InputPipePool.Rent(Loop);
        return Interlocked.CompareExchange(ref _input, renewed, null) ?? renewed;
    }
}
