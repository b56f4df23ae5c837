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
public sealed partial class HandOffChannel : IDisposable
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

            // Checked before a single byte is sent: a squatter on the path learns nothing but that someone connected.
            if (PeerCredentials.Untrusted(socket, allowedUserIds) is { } peer)
            {
                uint user = Native.GetEffectiveUserId();
                if (logger is not null)
                {
                    HandOffLog.ReceiverRefused(logger, path, peer, user);
                }

                throw new HandOffException($"Refused the hand-off receiver at '{path}': it runs as user {peer}, not as user {user} or an allowed one.");
            }

            return new HandOffChannel(socket);
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
