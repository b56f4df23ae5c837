using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Moonbridge.Net.Diagnostics;

namespace Moonbridge.Net.IO.Internal;

/// <summary>
/// The receiving side of a <see cref="SocketConnection"/> on .NET's socket engine (the fallback transport, and every
/// connection started with a connect still under way): a receive loop that waits with a zero-byte receive, so an idle
/// connection holds no buffer, then receives into the input pipe, in larger pieces while the socket keeps filling them.
/// </summary>
internal static class SocketEngineReceiver
{
    internal static async Task RunAsync(SocketConnection connection, Socket socket, PipeWriter writer, Task? connecting, ReadOnlyMemory<byte> preRead)
    {
        SocketError error = SocketError.Success;
        try
        {
            if (connecting is not null)
            {
                await connecting.ConfigureAwait(false);
            }

            if (!preRead.IsEmpty)
            {
                writer.Write(preRead.Span);
                if ((await writer.FlushAsync().ConfigureAwait(false)).IsCompleted)
                {
                    return;
                }
            }

            bool waitForData = true;
            int receiveSize = SocketConnection.MinimumReceiveSize;
            while (true)
            {
                if (waitForData)
                {
                    // Zero-byte receive: completes when data (or FIN) arrives, without a buffer.
                    await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None).ConfigureAwait(false);
                }

                Memory<byte> buffer = writer.GetMemory(receiveSize);
                int received = await socket.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }

                writer.Advance(received);
                connection.ReceiveObserver?.Invoke(received);
                TransferMetrics.Received(received);

                // A full buffer means more is probably queued in the kernel: read again at once, and more of it
                // per system call. Anything less returns to small reads and, next time, the zero-byte wait.
                waitForData = received < buffer.Length;
                receiveSize = waitForData ? SocketConnection.MinimumReceiveSize : Math.Min(receiveSize * 2, SocketConnection.MaximumReceiveSize);

                if ((await ReceiveLoopThread.Flush(writer).ConfigureAwait(false)).IsCompleted)
                {
                    break;
                }
            }
        }
        catch (SocketException e)
        {
            error = e.SocketErrorCode;
        }
        catch (ObjectDisposedException)
        {
            error = SocketError.OperationAborted;
        }
        finally
        {
            connection.EndInput(error);
        }
    }
}
