using System.Net.Sockets;

namespace Moonbridge.Net.IO.Internal;

internal sealed partial class SocketConnection
{
    /// <summary>Half-closes the sending side (TCP FIN) after the caller has flushed; reading stays possible.</summary>
    internal void ShutdownSend()
    {
        _finished = true;
        if (IsAborted)
        {
            return;
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException e)
        {
            _sender.Fail(e.SocketErrorCode);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Closes gracefully (FIN) after the caller has flushed, and releases every buffer.</summary>
    internal void Close() => Release(reset: false);

    /// <summary>Closes with an RST, discarding unsent output.</summary>
    internal void Reset() => Release(reset: true);

    private void Release(bool reset)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _finished = true;
        if (reset)
        {
            ResetSocket();
        }
        else if (_loopReceiver is not null)
        {
            // Nothing of the runtime's is pending on an event loop's socket: close() itself sends the FIN.
            _socket.Dispose();
        }
        else
        {
            // The receive loop always has a receive pending, and .NET turns closing a socket with a
            // pending operation into an abortive close (RST, unsent data lost) unless the sending side
            // was shut down first. Sending the FIN explicitly keeps close() graceful, as in the original.
            try
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
            catch (ObjectDisposedException)
            {
            }

            _socket.Dispose();
        }

        _loopReceiver?.Registration.Close();
        _sender.Close();

        _input.Reader.Complete();
    }
}
