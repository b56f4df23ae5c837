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
            ShutdownSocket();
            _sendShutDown = true;
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
        else
        {
            // The FIN goes out before close(): closing with a request that has just arrived unread makes the kernel
            // answer with an RST alone, which a client reusing the idle connection reports as a reset instead of a
            // closed connection it may retry on. On the socket engine it also keeps close() graceful: the receive
            // loop always has a receive pending, and .NET turns closing a socket with a pending operation into an
            // abortive close unless the sending side was shut down first. On an event loop, after ShutdownSend, the
            // FIN is out already, and a peer that has sent all it will leaves nothing to arrive: close() sends the FIN.
            if (_loopReceiver is null || !(_sendShutDown || _peerSentAll))
            {
                try
                {
                    ShutdownSocket();
                }
                catch (SocketException)
                {
                }
                catch (ObjectDisposedException)
                {
                }
            }

            DisposeSocket();
        }

        _loopReceiver?.Registration.Close();
        _sender.Close();

        InputPipe.Reader.Complete();
        InputPipePool.SideEnded(ref _input, ref _inputEndedSides, InputPipePool.ReaderSide, Loop);
    }
}
