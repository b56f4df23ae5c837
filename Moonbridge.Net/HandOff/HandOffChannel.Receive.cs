using System.Net.Sockets;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.HandOff;

/// <summary>The receiving side: taking a connection, its unread bytes and its metadata off the channel.</summary>
public sealed partial class HandOffChannel
{
    /// <summary>
    /// Waits for the next handed-off connection. Returns null when the sender closed the channel
    /// between hand-offs.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the channel is then faulted if a message was half read.</param>
    /// <exception cref="HandOffException">The peer broke the protocol or the channel failed; the channel is faulted.</exception>
    public async ValueTask<ReceivedHandOff?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var fds = new List<int>(1);
        try
        {
            if (_faulted)
            {
                throw new HandOffException("The hand-off channel failed earlier.");
            }

            byte[] header = new byte[WireFormat.HeaderLength];
            if (!await ReceiveExactlyAsync(header, fds, endAllowed: true, cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            (int metadataLength, int pendingLength) = WireFormat.ReadHeader(header, MaxPendingBytes);
            byte[] metadata = new byte[metadataLength];
            await ReceiveExactlyAsync(metadata, fds, endAllowed: false, cancellationToken).ConfigureAwait(false);
            HandOffInfo info = WireFormat.ReadMetadata(metadata);
            byte[] pending = new byte[pendingLength];
            await ReceiveExactlyAsync(pending, fds, endAllowed: false, cancellationToken).ConfigureAwait(false);
            if (fds.Count != 1)
            {
                throw new HandOffException($"A hand-off message must carry exactly one descriptor, not {fds.Count}.");
            }

            // Acknowledge before adopting: if the sender gave up (and shut the channel), this fails and
            // the raw descriptor is closed untouched, leaving the connection to the sender.
            await _socket.SendAsync(new[] { WireFormat.Ack }, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            int fd = fds[0];
            fds.Clear();
            MoonSocket socket = Adoption.Adopt(fd, pending);
            socket.Items[ReceivedHandOff.ItemKey] = info;
            return new ReceivedHandOff(socket, info);
        }
        catch (Exception e)
        {
            _faulted = true;
            foreach (int fd in fds)
            {
                Native.CloseQuietly(fd);
            }

            if (e is SocketException socketError)
            {
                throw new HandOffException($"The hand-off channel failed: {socketError.SocketErrorCode}.", e);
            }

            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Fills <paramref name="buffer"/>; false at a clean end of stream before its first byte (when allowed).</summary>
    private async ValueTask<bool> ReceiveExactlyAsync(Memory<byte> buffer, List<int> fds, bool endAllowed, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int received = FdTransport.ReceiveWithDescriptors(_socket.SafeHandle, buffer.Span[filled..], fds);
            if (received < 0)
            {
                // A zero-byte receive waits for readability without taking anything.
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (received == 0)
            {
                if (filled == 0 && endAllowed && fds.Count == 0)
                {
                    return false;
                }

                throw new HandOffException("The sender closed the channel in the middle of a hand-off.");
            }

            filled += received;
        }

        return true;
    }
}
