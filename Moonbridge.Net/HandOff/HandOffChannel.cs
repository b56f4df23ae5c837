using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Moonbridge.Net.HandOff.Internal;
using Moonbridge.Net.IO;

namespace Moonbridge.Net.HandOff;

/// <summary>
/// One Unix stream connection between two processes that carries handed-off connections, one at a
/// time, in either direction: <see cref="SendAsync"/> passes a live socket (its descriptor with
/// <c>SCM_RIGHTS</c>, the bytes already read from it, and a <see cref="HandOffInfo"/>);
/// <see cref="ReceiveAsync"/> on the other end returns it as an ordinary <see cref="MoonSocket"/>.
/// </summary>
/// <remarks>
/// The receiver acknowledges each hand-off once it holds the descriptor and every byte. Until then
/// the sender keeps its own copy, so a receiver that dies or misbehaves mid-transfer costs nothing:
/// the sender gets the connection back (<see cref="HandOffException.ReturnedSocket"/>). Received
/// descriptors are close-on-exec, and every descriptor is closed on every failure path. Linux only.
/// A channel that failed is unusable; dispose it.
/// </remarks>
public sealed class HandOffChannel : IDisposable
{
    /// <summary>The default limit on the bytes already read that may travel with a connection (16 MiB).</summary>
    public const int DefaultMaxPendingBytes = 16 * 1024 * 1024;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _faulted;
    private int _disposed;

    internal HandOffChannel(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>How long <see cref="SendAsync"/> waits for the receiver's acknowledgement (default 10 s).</summary>
    public TimeSpan AcknowledgementTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock of <see cref="AcknowledgementTimeout"/>: the target's (<see cref="HandOffTarget.TimeProvider"/>), or the system's.</summary>
    internal TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The largest number of already-read bytes <see cref="ReceiveAsync"/> accepts with a connection.</summary>
    public int MaxPendingBytes { get; set; } = DefaultMaxPendingBytes;

    /// <summary>True once a transfer failed or the channel was disposed: it must not be used again.</summary>
    public bool IsFaulted => _faulted || Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// False when the receiver closed this idle channel (it exited or restarted): nothing is sent to a
    /// sender between hand-offs, so a readable idle channel is at its end. Checked before a pooled
    /// channel is used, so that a dead receiver leaves the connection untouched instead of detached.
    /// </summary>
    internal bool IsOpenWhileIdle
    {
        get
        {
            try
            {
                return !IsFaulted && !_socket.Poll(0, SelectMode.SelectRead);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
    }

    /// <summary>
    /// Connects to a <see cref="HandOffListener"/> (or any hand-off receiver) listening on <paramref name="path"/>.
    /// The receiver must run as this process's effective user (checked with <c>SO_PEERCRED</c>): a process
    /// of another user that bound the path first gets no connection.
    /// </summary>
    /// <param name="path">The receiver's Unix socket path.</param>
    /// <param name="cancellationToken">Stops connecting.</param>
    /// <exception cref="HandOffException">Nobody listens there, or the process listening there runs as another user.</exception>
    public static ValueTask<HandOffChannel> ConnectAsync(string path, CancellationToken cancellationToken = default)
        => ConnectAsync(path, null, null, cancellationToken);

    /// <summary>Connects, then refuses a receiver whose user is neither this process's nor one of <paramref name="allowedUserIds"/>.</summary>
    internal static async ValueTask<HandOffChannel> ConnectAsync(string path, IReadOnlyCollection<uint>? allowedUserIds, ILogger? logger, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Native.EnsureSupported();
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new HandOffException($"Could not reach the hand-off receiver at '{path}': {e.SocketErrorCode}.", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        // Checked before a single byte is sent: a squatter on the path learns nothing but that someone connected.
        uint? peerUser = PeerCredentials.UserId(socket);
        if (!PeerCredentials.IsTrusted(peerUser, allowedUserIds))
        {
            socket.Dispose();
            string peer = peerUser?.ToString(CultureInfo.InvariantCulture) ?? "unknown";
            uint user = Native.GetEffectiveUserId();
            if (logger is not null)
            {
                HandOffLog.ReceiverRefused(logger, path, peer, user);
            }

            throw new HandOffException($"Refused the hand-off receiver at '{path}': it runs as user {peer}, not as user {user} or an allowed one.");
        }

        return new HandOffChannel(socket);
    }

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

    /// <summary>
    /// Worker processes: writes one status byte outside the hand-off protocol (the worker's side, between
    /// hand-offs; may run while a <see cref="ReceiveAsync"/> waits). False when the channel is broken.
    /// </summary>
    internal bool TrySendStatus(byte status)
    {
        try
        {
            return _socket.Send([status], SocketFlags.None) == 1;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Worker processes: reads one status byte (the parent's side, between hand-offs); null at the end of the stream.</summary>
    internal async ValueTask<byte?> ReceiveStatusAsync(CancellationToken cancellationToken)
    {
        byte[] status = new byte[1];
        try
        {
            int received = await _socket.ReceiveAsync(status, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            return received == 1 ? status[0] : null;
        }
        catch (SocketException)
        {
            _faulted = true;
            return null;
        }
    }

    /// <summary>Closes the channel. A sender waiting for an acknowledgement gets its connection back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _socket.Dispose();
    }
}
