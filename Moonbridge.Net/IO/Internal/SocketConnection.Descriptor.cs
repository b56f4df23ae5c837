using System.Net.Sockets;

namespace Moonbridge.Net.IO.Internal;

/// <summary>The few calls a connection makes on its socket itself: through the runtime's <see cref="Socket"/>, or on the descriptor an event loop accepted.</summary>
internal sealed partial class SocketConnection
{
    private void ShutdownSocket()
    {
        if (_socket is not null)
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        else
        {
            _loopHandle!.ShutdownSend();
        }
    }

    private void DisposeSocket()
    {
        if (_socket is not null)
        {
            _socket.Dispose();
        }
        else
        {
            _loopHandle!.Dispose();
        }
    }

    private void ResetSocket()
    {
        try
        {
            // Linger 0 turns close() into an RST, as Lua's reset() and handle GC do.
            if (_socket is not null)
            {
                _socket.LingerState = new LingerOption(true, 0);
            }
            else
            {
                _loopHandle!.SetAbortiveClose();
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        DisposeSocket();
    }
}
