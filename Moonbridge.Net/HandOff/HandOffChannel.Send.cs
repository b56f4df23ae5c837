using System.Buffers;
using System.Net.Sockets;
using Moonbridge.Net.Diagnostics;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.HandOff;

/// <summary>The sending side: passing a connection and waiting for the receiver to acknowledge it.</summary>
public sealed partial class HandOffChannel
{
    /// <summary>
    /// Hands <paramref name="socket"/> over: flushes its output, passes the connection with every byte
    /// received and not yet read, and closes the socket here. The client notices nothing.
    /// </summary>
    /// <param name="socket">An open connection socket; closed when this returns successfully.</param>
    /// <param name="info">Metadata for the receiver; endpoints left null are filled in from the socket.</param>
    /// <param name="cancellationToken">Stops waiting for the flush or the acknowledgement (a cancelled transfer fails as below).</param>
    /// <exception cref="HandOffException">
    /// The transfer failed. If the connection had been detached already, it is returned in
    /// <see cref="HandOffException.ReturnedSocket"/>; otherwise <paramref name="socket"/> is untouched.
    /// </exception>
    public async ValueTask SendAsync(MoonSocket socket, HandOffInfo? info = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(socket);
        DetachedConnection detached;
        try
        {
            detached = await DetachedConnection.DetachAsync(socket, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not HandOffException and not OperationCanceledException)
        {
            throw new HandOffException("The connection could not be detached for the hand-off.", e);
        }

        await SendDetachedAsync(detached, info ?? new HandOffInfo(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a detached connection; on success its descriptor is closed, on failure it is reattached
    /// and returned in the exception.
    /// </summary>
    internal async ValueTask SendDetachedAsync(DetachedConnection detached, HandOffInfo info, CancellationToken cancellationToken)
    {
        try
        {
            await TransferAsync(detached, info, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            throw Returned(detached, e);
        }

        HandOffMetrics.Count(HandOffMetrics.Sent);
        detached.Dispose();
    }

    internal static HandOffException Returned(DetachedConnection detached, Exception cause)
    {
        MoonSocket? returned = null;
        try
        {
            returned = detached.Reattach();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
        {
            detached.Dispose();
        }

        HandOffMetrics.Count(returned is null ? HandOffMetrics.Failed : HandOffMetrics.Returned);
        return new HandOffException($"The hand-off failed: {cause.Message}", cause) { ReturnedSocket = returned };
    }

    /// <summary>
    /// Passes the descriptor and bytes and waits for the acknowledgement. Throws when the receiver did
    /// not take the connection, and only then: after a failure here the receiver cannot own it.
    /// </summary>
    internal async ValueTask TransferAsync(DetachedConnection detached, HandOffInfo info, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_faulted)
            {
                throw new HandOffException("The hand-off channel failed earlier.");
            }

            info = info with
            {
                LocalEndPoint = info.LocalEndPoint ?? detached.LocalEndPoint,
                RemoteEndPoint = info.RemoteEndPoint ?? detached.RemoteEndPoint,
            };
            var metadata = new ArrayBufferWriter<byte>(128);
            WireFormat.WriteMetadata(metadata, info);
            byte[] head = new byte[WireFormat.HeaderLength + metadata.WrittenCount];
            WireFormat.WriteHeader(head, metadata.WrittenCount, detached.Pending.Length);
            metadata.WrittenSpan.CopyTo(head.AsSpan(WireFormat.HeaderLength));

            try
            {
                int sent;
                while ((sent = FdTransport.SendWithDescriptor(_socket.SafeHandle, head, detached.Fd)) < 0)
                {
                    await WaitWritableAsync(cancellationToken).ConfigureAwait(false);
                }

                await SendAllAsync(head.AsMemory(sent), cancellationToken).ConfigureAwait(false);
                await SendAllAsync(detached.Pending, cancellationToken).ConfigureAwait(false);
                await AwaitAcknowledgementAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                _faulted = true;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async ValueTask SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        while (!data.IsEmpty)
        {
            int sent = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            data = data[sent..];
        }
    }

    private async ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        // Rare: the message head is small and the channel is idle between hand-offs.
        await Task.Run(() => _socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectWrite), cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask AwaitAcknowledgementAsync(CancellationToken cancellationToken)
    {
        byte[] ack = new byte[1];
        using var timeout = new CancellationTokenSource(AcknowledgementTimeout, TimeProvider);
        using var timeoutOrCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        int received;
        try
        {
            received = await _socket.ReceiveAsync(ack, SocketFlags.None, timeoutOrCancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shut the channel first: from now on the receiver's acknowledgement cannot be written, and
            // a receiver that cannot acknowledge drops its copy. Then see whether it made it in time.
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }

            received = _socket.Available > 0 ? _socket.Receive(ack, SocketFlags.None) : 0;
            if (received == 1 && ack[0] == WireFormat.Ack)
            {
                return;
            }

            throw new HandOffException(cancellationToken.IsCancellationRequested
                ? "The hand-off was cancelled before the receiver acknowledged it."
                : "The receiver did not acknowledge the hand-off in time.");
        }

        if (received != 1 || ack[0] != WireFormat.Ack)
        {
            throw new HandOffException("The receiver closed the channel without taking the connection.");
        }
    }
}
